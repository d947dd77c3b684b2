//! The Shopcast session.
