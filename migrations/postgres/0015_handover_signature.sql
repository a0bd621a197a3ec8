-- A home delivery may be confirmed by the recipient's handwritten signature instead of the code:
-- the strokes as checked text (see qiaoyi_domain::cases::signature) and the name the signer gave.
ALTER TABLE case_handovers ADD COLUMN signature TEXT;
ALTER TABLE case_handovers ADD COLUMN signed_by_name TEXT NOT NULL DEFAULT '';
