-- A voice message someone sends the bureau's WeChat account is kept in her consultation as an
-- AMR recording (audio/amr), beside what WeChat's speech recognition heard.
ALTER TABLE consultation_messages DROP CONSTRAINT consultation_messages_media_type_check;
ALTER TABLE consultation_messages ADD CONSTRAINT consultation_messages_media_type_check
    CHECK (media_type IS NULL OR media_type IN ('application/pdf', 'image/jpeg', 'image/png', 'audio/amr'));
