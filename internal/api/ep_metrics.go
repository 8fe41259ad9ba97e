package api

// metricsEndpoints declares the metrics area's endpoints; it is filled in as the area lands.
func metricsEndpoints() []*Endpoint { return nil }
