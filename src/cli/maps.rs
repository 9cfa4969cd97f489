//! Options shared by `run` and `compare` for what each run's folder holds beyond the data files:
//! the size of its maps and the formats added on request.

use clap::Args;
use convoy_sim::output::map::Size;
use convoy_sim::output::run::Formats;

use super::Error;

#[derive(Clone, Debug, Args)]
pub struct MapArgs {
    /// Map width in pixels.
    #[arg(long, value_name = "PX")]
    width: Option<u32>,
    /// Map height in pixels.
    #[arg(long, value_name = "PX")]
    height: Option<u32>,
    /// Also write the maps as SVG.
    #[arg(long)]
    pub svg: bool,
    /// Also write run.gif: the run animated, a frame every 3 hours of simulated time.
    #[arg(long)]
    pub gif: bool,
    /// Also write run.kmz for Google Earth: end positions, tracks that play on the time slider,
    /// events and places, in the colours of map.png.
    #[arg(long)]
    pub kml: bool,
    /// Also write run.gpkg: end_state, tracks, track_points and events in one GeoPackage, styled
    /// as the .qml files style the GeoJSON when QGIS opens it.
    #[arg(long)]
    pub gpkg: bool,
}

impl MapArgs {
    /// The extra formats asked for.
    pub fn formats(&self) -> Formats {
        Formats {
            kml: self.kml,
            gpkg: self.gpkg,
        }
    }

    /// The size asked for, or `default`; refused outside what a map can be drawn at.
    pub fn size(&self, default: Size) -> Result<Size, Error> {
        let size = Size {
            width: self.width.unwrap_or(default.width),
            height: self.height.unwrap_or(default.height),
        };
        let (min, max) = (Size::MIN, Size::MAX);
        if size.width < min.width
            || size.height < min.height
            || size.width > max.width
            || size.height > max.height
        {
            return Err(Error::input(format!(
                "a map of {}×{} px cannot be drawn: use {}–{} px wide and {}–{} px high",
                size.width, size.height, min.width, max.width, min.height, max.height
            )));
        }
        Ok(size)
    }
}
