package api

func diskZFSExtEndpoints() []*Endpoint { return nil }
