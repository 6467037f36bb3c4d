pub mod audit;
pub mod change_password;
pub mod copy_button;
pub mod devices;
pub mod header;
pub mod modal;
pub mod session_badge;
pub mod terminal;
