//! The streaming chunker against the `fastcdc` crate (cut points) and the `blake3` crate (digests).

mod common;

use common::{Counting, Trickle, random_bytes};
use vfs_chunk::Chunk;
use vfs_chunk::digest::READ_BLOCK;
use vfs_chunk::fastcdc::{self, Params, ParamsError};

const SEKIEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures/cdc/SekienAkashita.jpg");

/// What the reference implementations say the chunks of `data` are.
fn reference(data: &[u8], (min, avg, max): (u64, u64, u64)) -> Vec<Chunk> {
    ::fastcdc::v2020::FastCDC::new(data, min as usize, avg as usize, max as usize)
        .map(|c| Chunk {
            offset: c.offset as u64,
            length: c.length as u64,
            digest: *blake3::hash(&data[c.offset..c.offset + c.length]).as_bytes(),
        })
        .collect()
}

fn check(data: &[u8], sizes: (u64, u64, u64)) {
    let params = Params::new(sizes.0, sizes.1, sizes.2).unwrap();
    let got = fastcdc::chunks(data, data.len() as u64, params).unwrap();
    let want = reference(data, sizes);
    assert_eq!(got.len(), want.len(), "chunk count, {} bytes, sizes {sizes:?}", data.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w, "{} bytes, sizes {sizes:?}", data.len());
    }
}

const PARAM_SETS: [(u64, u64, u64); 7] = [
    Params::DEFAULT_SIZES,
    (4096, 16384, 65534),
    (64, 256, 1024),
    (1024, 1024, 1024),
    // Not powers of two: the mask comes from the rounded log2 of the average.
    (1000, 92682, 200_000),
    (8192, 32768, 16_777_216),
    (1_048_576, 4_194_304, 16_777_216),
];

#[test]
fn random_data_of_many_sizes() {
    let big = random_bytes(1, 5 * READ_BLOCK + 12345);
    for (i, &(min, _, max)) in PARAM_SETS.iter().enumerate() {
        let (min, max) = (min as usize, max as usize);
        let mut lens =
            vec![0, 1, min - 1, min, min + 1, max - 1, max, max + 1, 2 * max + 3, 3 * READ_BLOCK + 7, big.len()];
        lens.retain(|&l| l <= big.len());
        for len in lens {
            let data = random_bytes(100 + i as u64 + len as u64, len);
            check(&data, PARAM_SETS[i]);
        }
    }
}

/// Data without content-defined cuts (all zeros, a short repeating pattern) is cut at `max`;
/// mixed with random stretches it exercises both masks and window refills.
#[test]
fn low_entropy_and_mixed_data() {
    let zeros = vec![0u8; 3 * READ_BLOCK + 100];
    let pattern: Vec<u8> = (0..2 * READ_BLOCK).map(|i| (i % 7) as u8).collect();
    let mut mixed = Vec::new();
    for i in 0..12u64 {
        mixed.extend(random_bytes(i, 50_000 + 30_011 * i as usize));
        mixed.extend(std::iter::repeat_n(i as u8, 70_000 * (i as usize % 4)));
    }
    for sizes in PARAM_SETS {
        check(&zeros, sizes);
        check(&pattern, sizes);
        check(&mixed, sizes);
    }
}

#[test]
fn sekien_akashita_fixture() {
    let data = std::fs::read(SEKIEN).unwrap();
    assert_eq!(data.len(), 109_466);
    let chunks = fastcdc::chunks(&data, data.len() as u64, Params::new(4096, 16384, 65534).unwrap()).unwrap();
    let offsets: Vec<u64> = chunks.iter().map(|c| c.offset).collect();
    let lengths: Vec<u64> = chunks.iter().map(|c| c.length).collect();
    assert_eq!(offsets, [0, 21325, 38465, 66549, 84766]);
    assert_eq!(lengths, [21325, 17140, 28084, 18217, 24700]);
    for sizes in PARAM_SETS {
        check(&data, sizes);
    }
}

#[test]
fn cut_matches_reference_cut() {
    let data = random_bytes(7, 300_000);
    for sizes in PARAM_SETS {
        let params = Params::new(sizes.0, sizes.1, sizes.2).unwrap();
        for start in [0usize, 1, 999, 100_000] {
            let src = &data[start..];
            let cdc = ::fastcdc::v2020::FastCDC::new(src, sizes.0 as usize, sizes.1 as usize, sizes.2 as usize);
            let (_, want) = cdc.cut(0, src.len());
            assert_eq!(fastcdc::cut(src, &params), want, "sizes {sizes:?}, start {start}");
        }
    }
    assert_eq!(fastcdc::cut(&[], &Params::defaults()), 0);
}

/// Short reads from the source change nothing; full-size reads keep host calls few.
#[test]
fn streaming_reads() {
    let data = random_bytes(3, 4 * READ_BLOCK + 999);
    let want = reference(&data, Params::DEFAULT_SIZES);

    let trickle = Trickle { data: data.clone(), max: 4099 };
    assert_eq!(fastcdc::chunks(&trickle, data.len() as u64, Params::defaults()).unwrap(), want);

    let counting = Counting::new(data.clone());
    assert_eq!(fastcdc::chunks(&counting, data.len() as u64, Params::defaults()).unwrap(), want);
    let reads = counting.reads.borrow();
    assert!(reads.len() <= 6, "{} reads for {} bytes: {reads:?}", reads.len(), data.len());
    assert!(reads[..reads.len() - 1].iter().all(|&n| n >= READ_BLOCK), "{reads:?}");
}

#[test]
fn only_the_first_len_bytes_count_and_a_short_source_fails() {
    let data = random_bytes(4, 500_000);
    let got = fastcdc::chunks(&data, 200_000, Params::defaults()).unwrap();
    assert_eq!(got, reference(&data[..200_000], Params::DEFAULT_SIZES));
    let err = fastcdc::chunks(&data[..100_000], 200_000, Params::defaults()).unwrap_err();
    assert!(err.to_string().contains("unexpected end"), "{err}");
}

#[test]
fn invalid_params_are_errors() {
    use ParamsError::*;
    let ok = |min, avg, max| Params::new(min, avg, max).is_ok();
    assert!(ok(64, 256, 1024));
    assert!(ok(1_048_576, 4_194_304, 16_777_216));
    let min_bounds = |value| OutOfBounds { which: "minimum", value, lo: 64, hi: 1_048_576 };
    let avg_bounds = |value| OutOfBounds { which: "average", value, lo: 256, hi: 4_194_304 };
    let max_bounds = |value| OutOfBounds { which: "maximum", value, lo: 1024, hi: 16_777_216 };
    let cases = [
        ((0, 65536, 262144), min_bounds(0)),
        ((62, 256, 1024), min_bounds(62)),
        ((1_048_578, 4_194_304, 16_777_216), min_bounds(1_048_578)),
        ((64, 254, 1024), avg_bounds(254)),
        ((64, 4_194_306, 16_777_216), avg_bounds(4_194_306)),
        ((64, 256, 1022), max_bounds(1022)),
        ((64, 256, 16_777_218), max_bounds(16_777_218)),
        ((64, 256, u64::MAX), max_bounds(u64::MAX)),
        ((65, 256, 1024), Odd { which: "minimum", value: 65 }),
        ((64, 258, 1025), Odd { which: "maximum", value: 1025 }),
        ((64, 257, 1024), Odd { which: "average", value: 257 }),
    ];
    for ((min, avg, max), want) in cases {
        assert_eq!(Params::new(min, avg, max), Err(want), "{min}-{avg}-{max}");
    }
    assert_eq!(Params::new(65536, 16384, 262144), Err(Order { min: 65536, avg: 16384, max: 262144 }));
    assert_eq!(Params::new(1024, 8192, 4096), Err(Order { min: 1024, avg: 8192, max: 4096 }));
    let message = Params::new(64, 256, 16_777_218).unwrap_err().to_string();
    assert_eq!(message, "maximum chunk size 16777218 is outside 1024..=16777216 allowed by FastCDC v2020");
}
