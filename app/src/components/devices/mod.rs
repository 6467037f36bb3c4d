//! The device sidebar: list, add, edit, delete, keys and host-key trust.

mod access;
mod delete;
mod form;
mod form_state;
mod host_key;
mod key_field;
mod sidebar;

pub use sidebar::DeviceSidebar;
