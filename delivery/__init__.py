"""Delivery: the outbox and the destinations its messages go to.

Rendering (alerts/, reports/) builds a payload and queues it with
`delivery.outbox.enqueue` under an address; `delivery.drain.drain_outbox` sends what is
due through a :class:`delivery.destination.Destination`: Slack (`delivery/slack.py`),
the console without a Slack token (`delivery/console.py`), or a signed JSON webhook
(`delivery/webhook.py`) for addresses ``webhook:NAME``.
"""
