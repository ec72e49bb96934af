"""The technician's field work: today's jobs, device-type checklists, events synced from
the phone with idempotency keys, conflicts for the dispatcher, and closing a job."""
