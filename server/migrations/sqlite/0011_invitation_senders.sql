-- An invitation carries its sender's authority, as a user token does: at acceptance nobody
-- receives more than the sender may grant then. The sender is a person (invited_by) or a token
-- (invited_by_token, for organization tokens and user tokens alike; no foreign key, so a
-- deleted token leaves an id that no longer resolves, and the invitation then grants nothing).
ALTER TABLE invitations ADD COLUMN invited_by_token TEXT;
-- Why an invitation was closed without anyone withdrawing it (e.g. its sender can no longer
-- grant what it offers).
ALTER TABLE invitations ADD COLUMN closed_reason TEXT;
