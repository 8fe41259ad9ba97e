package api

// Table is the whole endpoint table, built from each area's part. This
// file is the one place that names the areas: the framework files
// (api, endpoint, router, perm, params, response, http, errors) never refer
// to anything declared in an ep_*.go area file (internal/archtest checks).
func Table() []*Endpoint {
	var t []*Endpoint
	for _, part := range [][]*Endpoint{
		versionEndpoints(),
		accessEndpoints(),
		userEndpoints(),
		aclEndpoints(),
		nodeEndpoints(),
		dirIndexEndpoints(),
		subscriptionEndpoints(),
		taskEndpoints(),
		clusterEndpoints(),
		clusterConfigEndpoints(),
		{clusterResourcesEndpoint()},
		networkEndpoints(),
		aptEndpoints(),
		aptFirmwareEndpoints(),
		metricsEndpoints(),
		hostEndpoints(),
		diskEndpoints(),
		bootEndpoints(),
		qemuEndpoints(),
		bulkEndpoints(),
		certEndpoints(),
		historyEndpoints(),
		acmeEndpoints(),
	} {
		t = append(t, part...)
	}
	return t
}
