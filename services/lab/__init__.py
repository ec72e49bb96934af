"""The lab's interface engine: analyzer channels, the raw message store, results."""
