"""WhatsApp intake: the webhook's payload store, conversations, triage and the message log."""
