-- Elder mode (长辈版) remembered per account, so it follows the person to a new phone.
ALTER TABLE users ADD COLUMN elder_mode BIGINT NOT NULL DEFAULT 0;
