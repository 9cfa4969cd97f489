//! Plain-text tables for the terminal: columns padded to their widest cell, numbers right-aligned.

/// A table under construction.
pub struct Table {
    header: Vec<String>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// Columns named in `header`; a name starting with '>' is right-aligned (the '>' is dropped).
    pub fn new<S: AsRef<str>>(header: &[S]) -> Self {
        Self {
            right: header.iter().map(|h| h.as_ref().starts_with('>')).collect(),
            header: header
                .iter()
                .map(|h| h.as_ref().trim_start_matches('>').to_string())
                .collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.header.len());
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let width = |i: usize| {
            self.rows
                .iter()
                .map(|r| r[i].chars().count())
                .chain(std::iter::once(self.header[i].chars().count()))
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.header.len()).map(width).collect();
        let line = |cells: Vec<&str>| {
            let mut out = String::new();
            for (i, cell) in cells.iter().enumerate() {
                let pad = widths[i] - cell.chars().count();
                if i > 0 {
                    out.push_str("  ");
                }
                if self.right[i] {
                    out.extend(std::iter::repeat_n(' ', pad));
                    out.push_str(cell);
                } else {
                    out.push_str(cell);
                    if i + 1 < cells.len() {
                        out.extend(std::iter::repeat_n(' ', pad));
                    }
                }
            }
            out.push('\n');
            out
        };
        let mut out = line(self.header.iter().map(String::as_str).collect());
        for r in &self.rows {
            out.push_str(&line(r.iter().map(String::as_str).collect()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Table;

    #[test]
    fn columns_align() {
        let mut t = Table::new(&["name", ">km"]);
        t.row(vec!["Palmyra".into(), "1.5".into()]);
        t.row(vec!["Rawa".into(), "12.0".into()]);
        assert_eq!(t.render(), "name       km\nPalmyra   1.5\nRawa     12.0\n");
    }
}
