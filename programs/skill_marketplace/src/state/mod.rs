pub mod agent;
pub mod license;
pub mod marketplace;
pub mod review;
pub mod skill;

pub use agent::*;
pub use license::*;
pub use marketplace::*;
pub use review::*;
pub use skill::*;
