import itertools

from packer.codec import pack, unpack


def scrambled(items):
    """Unpack in a different order than we packed: the consumer is another process."""
    items = list(items)
    return [items[(i * 7919) % len(items)] for i in range(len(items))]


def test_round_trip_text():
    data = b"hello hello hello hello hello" * 20
    assert unpack(pack(data)) == data


def test_compresses_repetitive_payloads():
    data = b"a" * 1000
    assert len(pack(data)) < len(data)


def test_every_one_byte_payload_shrinks_and_round_trips():
    packed = [(bytes([value]), pack(bytes([value]))) for value in range(256)]
    for data, blob in packed:
        assert len(blob) < len(data), data
    for data, blob in scrambled(packed):
        assert unpack(blob) == data, data


def test_every_two_byte_payload_shrinks_and_round_trips():
    packed = [(bytes(p), pack(bytes(p))) for p in itertools.product(range(256), repeat=2)]
    for data, blob in packed:
        assert len(blob) < len(data), data
    for data, blob in scrambled(packed):
        assert unpack(blob) == data, data
