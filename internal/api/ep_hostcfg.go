package api

// hostEndpoints declares the hostcfg area's endpoints; it is filled in as the area lands.
func hostEndpoints() []*Endpoint { return nil }
