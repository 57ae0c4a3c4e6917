pub mod agent;
pub mod currency;
pub mod license;
pub mod marketplace;
pub mod review;
pub mod skill;

pub use agent::*;
pub use currency::*;
pub use license::*;
pub use marketplace::*;
pub use review::*;
pub use skill::*;
