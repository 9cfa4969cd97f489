//! Reading typed features out of GeoJSON text, one function for every stage that loads data.

use serde::de::DeserializeOwned;

/// The features of a FeatureCollection as `T`s (geometry plus properties).
///
/// An empty collection is an empty list: the `geojson` crate reports it as a parse error
/// ("expected value"), which would send a reader looking for a syntax error that is not there.
pub(crate) fn features<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, geojson::Error> {
    geojson::de::deserialize_feature_collection_str_to_vec(text).or_else(|e| {
        match text.parse::<geojson::FeatureCollection>() {
            Ok(fc) if fc.features.is_empty() => Ok(Vec::new()),
            _ => Err(e),
        }
    })
}
