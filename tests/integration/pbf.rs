//! A hand-rolled protobuf encoder, just what PBF needs: BlobHeader/Blob framing, OSMHeader,
//! OSMData with DenseNodes and Ways, zlib-compressed or raw; and [`national`], a synthetic extract
//! of a country's size. The suite's `osm_import` tests use it, and so does
//! `examples/synthetic_pbf.rs` (which includes this file by path): the one PBF writer.

use std::collections::HashMap;
use std::io::Write;

fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn key(out: &mut Vec<u8>, field: u64, wire: u64) {
    varint(out, (field << 3) | wire);
}

fn bytes(out: &mut Vec<u8>, field: u64, data: &[u8]) {
    key(out, field, 2);
    varint(out, data.len() as u64);
    out.extend_from_slice(data);
}

fn uint(out: &mut Vec<u8>, field: u64, v: u64) {
    key(out, field, 0);
    varint(out, v);
}

/// A packed field of zigzag-encoded deltas (sint64, "DELTA coded").
fn packed_delta(out: &mut Vec<u8>, field: u64, values: impl Iterator<Item = i64>) {
    let mut body = Vec::new();
    let mut last = 0i64;
    for v in values {
        varint(&mut body, zigzag(v - last));
        last = v;
    }
    bytes(out, field, &body);
}

fn packed_uint(out: &mut Vec<u8>, field: u64, values: impl Iterator<Item = u64>) {
    let mut body = Vec::new();
    for v in values {
        varint(&mut body, v);
    }
    bytes(out, field, &body);
}

/// A node: id, lon, lat (degrees).
pub type Node = (i64, f64, f64);
/// A way: id, tags, node ids.
pub struct Way {
    pub id: i64,
    pub tags: Vec<(String, String)>,
    pub refs: Vec<i64>,
}

pub fn way(id: i64, tags: &[(&str, &str)], refs: &[i64]) -> Way {
    Way {
        id,
        tags: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        refs: refs.to_vec(),
    }
}

fn blob(out: &mut Vec<u8>, kind: &str, message: &[u8], zlib: bool) {
    let mut blob = Vec::new();
    if zlib {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(message).unwrap();
        uint(&mut blob, 2, message.len() as u64);
        bytes(&mut blob, 3, &z.finish().unwrap());
    } else {
        bytes(&mut blob, 1, message);
    }
    let mut header = Vec::new();
    bytes(&mut header, 1, kind.as_bytes());
    uint(&mut header, 3, blob.len() as u64);
    out.extend_from_slice(&(header.len() as u32).to_be_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&blob);
}

/// A PrimitiveBlock: its string table, then one group.
fn block(strings: &[Vec<u8>], group: &[u8]) -> Vec<u8> {
    let mut table = Vec::new();
    for s in strings {
        bytes(&mut table, 1, s);
    }
    let mut b = Vec::new();
    bytes(&mut b, 1, &table);
    bytes(&mut b, 2, group);
    b
}

/// The metadata an editor leaves on an element, as extracts carry it (the importer reads none of
/// it, but decodes it with the rest).
struct Edit {
    version: u64,
    /// Seconds (the blocks' default granularity of 1000 ms).
    timestamp: i64,
    changeset: i64,
    uid: i64,
}

/// The edit an element `id` came from: runs of 40 ids share one, as the nodes of a way drawn in
/// one go share a changeset.
fn edit(id: i64) -> Edit {
    let h = scramble(id as u64 / 40);
    Edit {
        version: 1 + h % 4,
        timestamp: 1_200_000_000 + (h >> 8) as i64 % 550_000_000,
        changeset: (h >> 16) as i64 % 150_000_000,
        uid: (h >> 24) as i64 % 2_000_000,
    }
}

/// The file: a header block, then the nodes and the ways in blocks of `per_block`.
pub fn write(nodes: &[Node], ways: &[Way], zlib: bool) -> Vec<u8> {
    let per_block = 8000;
    let mut out = Vec::new();
    let mut header = Vec::new();
    bytes(&mut header, 4, b"OsmSchema-V0.6");
    bytes(&mut header, 4, b"DenseNodes");
    bytes(&mut header, 16, b"convoy-sim test writer");
    blob(&mut out, "OSMHeader", &header, zlib);
    for chunk in nodes.chunks(per_block) {
        let mut dense = Vec::new();
        packed_delta(&mut dense, 1, chunk.iter().map(|n| n.0));
        packed_delta(
            &mut dense,
            8,
            chunk.iter().map(|n| (n.2 * 1e7).round() as i64),
        );
        packed_delta(
            &mut dense,
            9,
            chunk.iter().map(|n| (n.1 * 1e7).round() as i64),
        );
        let edits: Vec<Edit> = chunk.iter().map(|n| edit(n.0)).collect();
        let mut info = Vec::new();
        packed_uint(&mut info, 1, edits.iter().map(|e| e.version));
        packed_delta(&mut info, 2, edits.iter().map(|e| e.timestamp));
        packed_delta(&mut info, 3, edits.iter().map(|e| e.changeset));
        packed_delta(&mut info, 4, edits.iter().map(|e| e.uid));
        packed_delta(&mut info, 5, edits.iter().map(|_| 0));
        bytes(&mut dense, 5, &info);
        let mut group = Vec::new();
        bytes(&mut group, 2, &dense);
        blob(&mut out, "OSMData", &block(&[Vec::new()], &group), zlib);
    }
    for chunk in ways.chunks(per_block) {
        let mut strings: Vec<Vec<u8>> = vec![Vec::new()];
        let mut known: HashMap<String, u64> = HashMap::new();
        let mut index = |s: &str| -> u64 {
            *known.entry(s.to_string()).or_insert_with(|| {
                strings.push(s.as_bytes().to_vec());
                strings.len() as u64 - 1
            })
        };
        let mut group = Vec::new();
        for w in chunk {
            let mut m = Vec::new();
            uint(&mut m, 1, w.id as u64);
            let keys: Vec<u64> = w.tags.iter().map(|t| index(&t.0)).collect();
            let vals: Vec<u64> = w.tags.iter().map(|t| index(&t.1)).collect();
            packed_uint(&mut m, 2, keys.into_iter());
            packed_uint(&mut m, 3, vals.into_iter());
            let e = edit(w.id);
            let mut info = Vec::new();
            uint(&mut info, 1, e.version);
            uint(&mut info, 2, e.timestamp as u64);
            uint(&mut info, 3, e.changeset as u64);
            uint(&mut info, 4, e.uid as u64);
            bytes(&mut m, 4, &info);
            packed_delta(&mut m, 8, w.refs.iter().copied());
            bytes(&mut group, 3, &m);
        }
        blob(&mut out, "OSMData", &block(&strings, &group), zlib);
    }
    out
}

/// splitmix64's finaliser: a well-mixed function of `z`.
fn scramble(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A deterministic stream of pseudo-random numbers (splitmix64): the extract is the same bytes
/// on every run.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        scramble(self.0)
    }

    /// Uniform in [-1, 1).
    fn signed(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A synthetic extract and what it holds.
pub struct Extract {
    pub nodes: Vec<Node>,
    pub ways: Vec<Way>,
    /// The nodes and ways with a `highway=*` tag.
    pub road_nodes: usize,
    pub road_ways: usize,
}

impl Extract {
    /// What it holds, written as `bytes` bytes.
    pub fn summary(&self, bytes: usize) -> String {
        format!(
            "{bytes} bytes; {} nodes, {} ways; on roads (highway=*): {} nodes, {} ways",
            self.nodes.len(),
            self.ways.len(),
            self.road_nodes,
            self.road_ways
        )
    }
}

/// The `highway=*` value of the `a`-th road line of [`national`]'s grid.
fn line_class(a: i64) -> &'static str {
    match a {
        _ if a % 50 == 0 => "motorway",
        _ if a % 20 == 0 => "trunk",
        _ if a % 10 == 0 => "primary",
        _ if a % 5 == 0 => "secondary",
        _ => ["tertiary", "unclassified", "track", "unclassified"][(a % 5 - 1) as usize],
    }
}

/// A synthetic extract of a country's size over Syria's extent (36–42° E, 32.5–37° N), ids and
/// coordinates from a fixed seed. `lines` × `lines` jittered junctions (400 for a national
/// extract) joined by roads of wobbling shape points, six between two junctions, each way two
/// intervals long: motorway, trunk, primary and secondary lines every 50th, 20th, 10th and 5th,
/// tertiary, unclassified and track between; motorways and one way in 13 tagged one-way; a
/// roundabout (a closed way through the junction) on every 25th junction; and on two intervals
/// of seven a dead-end spur of nine nodes, residential, service, footway or track. With 400
/// lines: 2.94 million road nodes and 257,600 road ways. Then what an extract holds besides and
/// the import must skip: 16 buildings a junction (closed ways of 4 nodes, scattered), 0.6
/// streams or fields (20 nodes) and 8 untagged nodes. Every element carries an editor's
/// metadata ([`edit`]).
pub fn national(lines: i64) -> Extract {
    let (west, east, south, north) = (36.0, 42.0, 32.5, 37.0);
    let dx = (east - west) / (lines - 1) as f64;
    let dy = (north - south) / (lines - 1) as f64;
    let mut mix = Mix(2017);
    let mut nodes: Vec<Node> = Vec::new();
    let mut ways: Vec<Way> = Vec::new();
    let mut next_node = 1i64;
    let mut node = |nodes: &mut Vec<Node>, lon: f64, lat: f64| {
        nodes.push((next_node, lon, lat));
        next_node += 1;
        next_node - 1
    };
    let mut next_way = 1i64;
    let mut push_way = |ways: &mut Vec<Way>, tags: Vec<(String, String)>, refs: Vec<i64>| {
        ways.push(Way {
            id: next_way,
            tags,
            refs,
        });
        next_way += 1;
    };
    let tags = |t: &[(&str, &str)]| -> Vec<(String, String)> {
        t.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    // Junctions, jittered by up to a third of a cell.
    let mut junction = Vec::with_capacity((lines * lines) as usize);
    for i in 0..lines {
        for j in 0..lines {
            let lon = west + i as f64 * dx + 0.3 * dx * mix.signed();
            let lat = south + j as f64 * dy + 0.3 * dy * mix.signed();
            junction.push(node(&mut nodes, lon, lat));
        }
    }
    let at = |nodes: &[Node], id: i64| {
        let n = nodes[(id - 1) as usize];
        (n.1, n.2)
    };
    let spur_classes = [
        "residential",
        "service",
        "footway",
        "track",
        "residential",
        "service",
        "residential",
    ];
    let (inner, span) = (6, 2);
    let mut interval = 0u64;
    let mut road_ways = 0;
    for vertical in [false, true] {
        for a in 0..lines {
            let class = line_class(a);
            let name = format!("Road {}{a}", if vertical { "N" } else { "E" });
            let mut refs = Vec::new();
            for b in 0..lines - 1 {
                let (p, q) = match vertical {
                    false => (
                        junction[(b * lines + a) as usize],
                        junction[((b + 1) * lines + a) as usize],
                    ),
                    true => (
                        junction[(a * lines + b) as usize],
                        junction[(a * lines + b + 1) as usize],
                    ),
                };
                let ((px, py), (qx, qy)) = (at(&nodes, p), at(&nodes, q));
                if refs.is_empty() {
                    refs.push(p);
                }
                let mut shape = Vec::new();
                for k in 1..=inner {
                    let f = k as f64 / (inner + 1) as f64;
                    let wobble = 0.02 * mix.signed();
                    let lon = px + (qx - px) * f - (qy - py) * wobble;
                    let lat = py + (qy - py) * f + (qx - px) * wobble;
                    shape.push(node(&mut nodes, lon, lat));
                }
                refs.extend(&shape);
                refs.push(q);
                interval += 1;
                if interval % 7 < 2 {
                    // A dead end off the middle shape point, across the road.
                    let (sx, sy) = at(&nodes, shape[inner / 2]);
                    let (ux, uy) = match vertical {
                        false => (0.0, 0.0004),
                        true => (0.0004, 0.0),
                    };
                    let mut spur = vec![shape[inner / 2]];
                    for k in 1..=9 {
                        let wobble = 0.0001 * mix.signed();
                        let (lon, lat) = (sx + ux * k as f64 + wobble, sy + uy * k as f64 + wobble);
                        spur.push(node(&mut nodes, lon, lat));
                    }
                    let spur_class = spur_classes[(interval / 7 % 7) as usize];
                    push_way(&mut ways, tags(&[("highway", spur_class)]), spur);
                    road_ways += 1;
                }
                if b % span == span - 1 || b == lines - 2 {
                    let mut t = vec![("highway", class), ("name", name.as_str())];
                    if matches!(class, "motorway" | "trunk") {
                        t.push(("ref", name.as_str()));
                    }
                    if class == "motorway" || (a + b) % 13 == 0 {
                        t.push(("oneway", "yes"));
                    }
                    push_way(&mut ways, tags(&t), std::mem::take(&mut refs));
                    road_ways += 1;
                }
            }
        }
    }
    // Roundabouts: a ring of 7 nodes through every 25th junction.
    for i in (0..lines).step_by(5) {
        for j in (0..lines).step_by(5) {
            let centre = junction[(i * lines + j) as usize];
            let (cx, cy) = at(&nodes, centre);
            let mut ring = vec![centre];
            for k in 1..8 {
                let angle = std::f64::consts::TAU * k as f64 / 8.0;
                ring.push(node(
                    &mut nodes,
                    cx + 0.0004 * angle.sin(),
                    cy + 0.0004 * (1.0 - angle.cos()),
                ));
            }
            ring.push(centre);
            let t = [("highway", line_class(i)), ("junction", "roundabout")];
            push_way(&mut ways, tags(&t), ring);
            road_ways += 1;
        }
    }
    let road_nodes = nodes.len();
    // Buildings, near a junction each.
    let kinds = ["yes", "house", "residential", "yes", "commercial", "yes"];
    for k in 0..lines * lines * 16 {
        let c = junction[mix.below(junction.len() as u64) as usize];
        let (cx, cy) = at(&nodes, c);
        let (x, y) = (cx + 0.01 * mix.signed(), cy + 0.01 * mix.signed());
        let (w, h) = (0.0001 + 0.0001 * mix.signed().abs(), 0.0001);
        let corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)];
        let mut refs: Vec<i64> = corners
            .iter()
            .map(|&(lon, lat)| node(&mut nodes, lon, lat))
            .collect();
        refs.push(refs[0]);
        push_way(
            &mut ways,
            tags(&[("building", kinds[(k % 6) as usize])]),
            refs,
        );
    }
    // Streams and fields.
    for k in 0..lines * lines * 6 / 10 {
        let (mut x, mut y) = (
            west + (east - west) * (mix.signed() + 1.0) / 2.0,
            south + (north - south) * (mix.signed() + 1.0) / 2.0,
        );
        let mut refs = Vec::new();
        for _ in 0..20 {
            refs.push(node(&mut nodes, x, y));
            x += 0.001 * mix.signed();
            y += 0.001 * mix.signed();
        }
        let t = if k % 2 == 0 {
            [("waterway", "stream")]
        } else {
            refs.push(refs[0]);
            [("landuse", "farmland")]
        };
        push_way(&mut ways, tags(&t), refs);
    }
    // Untagged nodes: points of interest, trees, survey points.
    for _ in 0..lines * lines * 8 {
        let lon = west + (east - west) * (mix.signed() + 1.0) / 2.0;
        let lat = south + (north - south) * (mix.signed() + 1.0) / 2.0;
        node(&mut nodes, lon, lat);
    }
    Extract {
        nodes,
        ways,
        road_nodes,
        road_ways,
    }
}
