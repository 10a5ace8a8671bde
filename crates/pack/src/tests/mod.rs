mod corruption;
mod doc_example;
mod lookup;
mod python_reader;
mod round_trip;
mod support;
