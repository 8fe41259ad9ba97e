package api

func diskBtrfsEndpoints() []*Endpoint { return nil }
