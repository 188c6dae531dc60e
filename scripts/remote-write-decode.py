#!/usr/bin/python3
"""Decodes remote-write 1.0 bodies with independent implementations (Python's protobuf
runtime from Debian's python3-protobuf, snappy from python3-snappy), for the tests: each
file named on the command line (a snappy-compressed WriteRequest, or with --raw an
uncompressed one) is printed as one JSON line:
{"series": [{"labels": [[name, value], ...], "samples": [[timestamp_ms, "value bits as hex"], ...]}, ...]}
Values are given by their bits so that NaN markers and -0.0 compare exactly."""
import json
import struct
import sys

import snappy
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory


def write_request_class():
    f = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(name="remote.proto", package="prometheus", syntax="proto3")
    sample = fdp.message_type.add(name="Sample")
    sample.field.add(name="value", number=1, type=f.TYPE_DOUBLE, label=f.LABEL_OPTIONAL)
    sample.field.add(name="timestamp", number=2, type=f.TYPE_INT64, label=f.LABEL_OPTIONAL)
    label = fdp.message_type.add(name="Label")
    label.field.add(name="name", number=1, type=f.TYPE_STRING, label=f.LABEL_OPTIONAL)
    label.field.add(name="value", number=2, type=f.TYPE_STRING, label=f.LABEL_OPTIONAL)
    series = fdp.message_type.add(name="TimeSeries")
    series.field.add(name="labels", number=1, type=f.TYPE_MESSAGE, type_name=".prometheus.Label", label=f.LABEL_REPEATED)
    series.field.add(name="samples", number=2, type=f.TYPE_MESSAGE, type_name=".prometheus.Sample", label=f.LABEL_REPEATED)
    request = fdp.message_type.add(name="WriteRequest")
    request.field.add(name="timeseries", number=1, type=f.TYPE_MESSAGE, type_name=".prometheus.TimeSeries", label=f.LABEL_REPEATED)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    descriptor = pool.FindMessageTypeByName("prometheus.WriteRequest")
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)


def main():
    raw = "--raw" in sys.argv[1:]
    WriteRequest = write_request_class()
    for path in [a for a in sys.argv[1:] if a != "--raw"]:
        data = open(path, "rb").read()
        if not raw:
            data = snappy.uncompress(data)
        request = WriteRequest()
        request.ParseFromString(data)
        out = []
        for ts in request.timeseries:
            out.append({
                "labels": [[l.name, l.value] for l in ts.labels],
                "samples": [[s.timestamp, struct.pack("<d", s.value)[::-1].hex()] for s in ts.samples],
            })
        print(json.dumps({"series": out}))


if __name__ == "__main__":
    main()
