"""The outbox: messages to families and staff, written with the change and sent by a worker."""
