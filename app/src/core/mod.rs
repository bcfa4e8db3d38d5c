//! What every part of the library builds on and that builds on nothing of ours: no features,
//! no I/O. Times are formatted here, for pages, mail and exports alike.

pub mod time;
