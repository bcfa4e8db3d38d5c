//! What every part of the library builds on and that builds on nothing of ours: no features,
//! no I/O: typed ids, the kinds and states the permission rules speak of, and time formatting
//! (for pages, mail and exports alike), and validated text (emails, names, passwords) that
//! browser and server check alike.

pub mod ids;
pub mod kinds;
pub mod language;
pub mod text;
pub mod time;
pub mod validate;
pub mod wording;
