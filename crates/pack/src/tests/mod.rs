mod corruption;
mod doc_example;
mod large_reads;
mod lookup;
mod python_reader;
mod round_trip;
mod support;
