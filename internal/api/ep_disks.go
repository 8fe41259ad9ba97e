package api

// diskEndpoints declares the disks area's endpoints; it is filled in as the area lands.
func diskEndpoints() []*Endpoint { return nil }
