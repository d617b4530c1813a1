"""Outgoing webhooks: signed POSTs of survey responses to other systems, with retries."""
