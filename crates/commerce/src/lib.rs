//! Products, lineups, marketing actions and per-product stats (SQLite). Not built yet: no open issue asks for it on its own.
