-- What the job record says since: why a job was cancelled (the first reason
-- given) and the model its run chose. Both empty on jobs stored before.
ALTER TABLE jobs ADD COLUMN cancel_reason TEXT;
ALTER TABLE jobs ADD COLUMN model TEXT;
