mod corruption;
mod lookup;
mod round_trip;
mod support;
