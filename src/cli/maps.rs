//! Options shared by the commands that draw maps.

use clap::Args;
use convoy_sim::output::map::Size;

use super::Error;

#[derive(Debug, Args)]
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
}

impl MapArgs {
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
