package api

// parts are the endpoint table, area by area. Each part names the paths
// all of its endpoints lie under, so that a lazy API (the in-process CLI,
// which makes a call or two) builds only the parts that can hold the path
// it calls. This file is the one place that names the areas: the framework
// files (api, endpoint, router, perm, params, response, http, errors) never
// refer to anything declared in an ep_*.go area file (internal/archtest
// checks). TestPartsHoldTheirPaths checks each part's paths.
var parts = []part{
	{[]string{"/version", "/nodes/{node}/version"}, versionEndpoints},
	{[]string{"/access"}, accessEndpoints},
	{[]string{"/access/users"}, userEndpoints},
	{[]string{"/access/acl", "/access/roles"}, aclEndpoints},
	{[]string{"/nodes"}, nodeEndpoints},
	{[]string{"/nodes/{node}/hardware", "/nodes/{node}/metrics", "/nodes/{node}/storage"}, dirIndexEndpoints},
	{[]string{"/nodes/{node}/subscription"}, subscriptionEndpoints},
	{[]string{"/cluster/tasks", "/nodes/{node}/tasks"}, taskEndpoints},
	{[]string{"/"}, clusterEndpoints},
	{[]string{"/cluster/config"}, clusterConfigEndpoints},
	{[]string{"/cluster/resources"}, func() []*Endpoint { return []*Endpoint{clusterResourcesEndpoint()} }},
	{[]string{"/nodes/{node}/network"}, networkEndpoints},
	{[]string{"/nodes/{node}/apt", "/nodes/{node}/hardware"}, aptEndpoints},
	{[]string{"/nodes/{node}/apt", "/nodes/{node}/hardware"}, aptFirmwareEndpoints},
	{[]string{"/cluster/metrics", "/nodes/{node}/metrics", "/nodes/{node}/netstat", "/nodes/{node}/rrd",
		"/nodes/{node}/rrddata", "/nodes/{node}/storage"}, metricsEndpoints},
	{[]string{"/nodes/{node}/config", "/nodes/{node}/dns", "/nodes/{node}/hosts", "/nodes/{node}/journal",
		"/nodes/{node}/ksm", "/nodes/{node}/ntp", "/nodes/{node}/report", "/nodes/{node}/services",
		"/nodes/{node}/sysctl", "/nodes/{node}/syslog", "/nodes/{node}/time", "/nodes/{node}/wakeonlan"}, hostEndpoints},
	{[]string{"/nodes/{node}/disks", "/nodes/{node}/storage", "/storage"}, diskEndpoints},
	{[]string{"/nodes/{node}/boot"}, bootEndpoints},
	{[]string{"/cluster/nextid", "/nodes/{node}/bulkplan", "/nodes/{node}/qemu"}, qemuEndpoints},
	{[]string{"/nodes/{node}/migrateall", "/nodes/{node}/startall", "/nodes/{node}/stopall",
		"/nodes/{node}/suspendall"}, bulkEndpoints},
	{[]string{"/nodes/{node}/certificates"}, certEndpoints},
	{[]string{"/cluster/history", "/cluster/log", "/nodes/{node}/history"}, historyEndpoints},
	{[]string{"/cluster/acme", "/nodes/{node}/certificates"}, acmeEndpoints},
}

// Table is the whole endpoint table.
func Table() []*Endpoint {
	var t []*Endpoint
	for _, p := range parts {
		t = append(t, p.build()...)
	}
	return t
}
