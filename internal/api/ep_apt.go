package api

// aptEndpoints declares the apt area's endpoints; it is filled in as the area lands.
func aptEndpoints() []*Endpoint { return nil }
