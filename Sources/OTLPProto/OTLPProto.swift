/// Generated OpenTelemetry protocol (OTLP) trace types, from opentelemetry-proto v1.11.0.
/// The `*.pb.swift` files beside this one are generated (see the README); do not edit them.
public enum OTLPProto {}
