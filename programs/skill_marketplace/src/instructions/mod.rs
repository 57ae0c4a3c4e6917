pub mod close_license;
pub mod currencies;
pub mod delete_review;
pub mod initialize_marketplace;
pub mod meters;
pub mod post_review;
pub mod purchase;
pub mod purchase_license;
pub mod purchase_license_spl;
pub mod record_usage;
pub mod register_agent;
pub mod register_skill;
pub mod roles;
pub mod set_skill_active;
pub mod split_vault;
pub mod suspend_skill;
pub mod update_agent;
pub mod update_marketplace;
pub mod update_review;
pub mod update_skill;
pub mod withdraw_fees;

#[allow(ambiguous_glob_reexports)]
pub use {
    close_license::*, currencies::*, delete_review::*, initialize_marketplace::*, meters::*, post_review::*,
    purchase::PurchaseLicenseArgs, purchase_license::*, purchase_license_spl::*, record_usage::*,
    register_agent::*, register_skill::*, roles::*, set_skill_active::*, split_vault::*, suspend_skill::*,
    update_agent::*, update_marketplace::*, update_review::*, update_skill::*, withdraw_fees::*,
};
