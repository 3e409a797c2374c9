"""The Redis broker transport, with one correction to kombu's.

kombu's Redis channel, closed after its connection was lost, may need a fresh connection pool (to
restore unacknowledged messages, or to delete fanout bindings) after its transport has been
detached from the connection it belonged to; building the pool then reads the detached
connection's host and raises AttributeError ('NoneType' object has no attribute 'hostname',
kombu issue 582, still so in kombu 5.7.0). Celery closes channels inside `ignore_errors`, which
swallows the transport's connection errors but not AttributeError, so the worker logged
"Unrecoverable error" and exited while Redis was away. Here the same situation raises a Redis
ConnectionError, which is what it is: the messages stay in Redis's unacknowledged set (restored
after the visibility timeout, decision 0027) and the worker goes on reconnecting.
"""

from kombu import transport as kombu_transports
from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous=False):
        transport = self.connection
        if transport is None or transport.client is None:
            raise RedisConnectionError("the broker connection this channel belonged to is closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel


def install():
    """Make redis:// and rediss:// (and redis+socket://, which kombu reads as redis) broker URLs use
    this transport. kombu chooses a transport by the URL's scheme through its alias table, so the
    alias is the one place that serves every URL form the settings accept."""
    for scheme in ("redis", "rediss"):
        kombu_transports.TRANSPORT_ALIASES[scheme] = "ehc.broker:Transport"
        # kombu caches each alias's class once resolved; forget kombu's own if it was.
        kombu_transports._transport_cache.pop(scheme, None)
