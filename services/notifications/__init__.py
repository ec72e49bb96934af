"""In-app notifications: each person is told what waits for them, with a link to it."""
