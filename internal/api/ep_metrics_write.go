package api

import (
	"context"
	"errors"
	"fmt"

	"hostadm/internal/metrics/export"
	"hostadm/internal/metrics/statuscfg"
	"hostadm/internal/sectioncfg"
)

// sectionValues are the request's section properties: everything but the
// id, type, digest, delete and the token, which never goes to status.cfg.
func sectionValues(r *Request) map[string]any {
	out := map[string]any{}
	for _, k := range r.Params.Names() {
		switch k {
		case "id", "type", "digest", "delete", "token":
			continue
		}
		out[k] = r.Params.Raw(k)
	}
	return out
}

func createMetricServer(ctx context.Context, r *Request) (any, error) {
	st := r.Svc.Store
	unlock, err := statuscfg.Lock(ctx, st)
	if err != nil {
		return nil, err
	}
	defer unlock()
	f, err := statuscfg.Read(ctx, st)
	if err != nil {
		return nil, err
	}
	id, typ := r.Params.String("id"), r.Params.String("type")
	if f.Config.Section(id) != nil {
		return nil, fmt.Errorf("Metric server '%s' already exists", id)
	}
	if err := f.Config.Create(typ, id, sectionValues(r)); err != nil {
		if errors.Is(err, sectioncfg.ErrExists) {
			return nil, fmt.Errorf("Metric server '%s' already exists", id)
		}
		return nil, err
	}
	token, hasToken := r.Params.String("token"), r.Params.Has("token")
	if hasToken && typ != statuscfg.TypeInfluxDB {
		return nil, errors.New("unexpected property 'token'")
	}
	if err := testServer(ctx, r, f.Config.Section(id), token); err != nil {
		return nil, err
	}
	if err := f.Write(ctx, st); err != nil {
		return nil, err
	}
	if hasToken {
		err = statuscfg.SetToken(ctx, st, id, token)
	} else {
		err = statuscfg.DeleteToken(ctx, st, id)
	}
	if err != nil {
		return nil, err
	}
	return nil, reloadMetrics(ctx, r)
}

func updateMetricServer(ctx context.Context, r *Request) (any, error) {
	st := r.Svc.Store
	unlock, err := statuscfg.Lock(ctx, st)
	if err != nil {
		return nil, err
	}
	defer unlock()
	f, err := statuscfg.Read(ctx, st)
	if err != nil {
		return nil, err
	}
	id := r.Params.String("id")
	del := r.Params.List("delete")
	delToken := false
	rest := del[:0:0]
	for _, k := range del {
		if k == "token" {
			delToken = true
			continue
		}
		rest = append(rest, k)
	}
	if err := f.Config.Update(id, sectionValues(r), rest, r.Params.String("digest")); err != nil {
		return nil, err
	}
	sec := f.Config.Section(id)
	token, hasToken := r.Params.String("token"), r.Params.Has("token")
	if (hasToken || delToken) && sec.Type != statuscfg.TypeInfluxDB {
		return nil, errors.New("unexpected property 'token'")
	}
	if hasToken && delToken {
		return nil, errors.New("cannot set and delete property 'token' at the same time!")
	}
	if !hasToken && !delToken {
		if token, err = statuscfg.Token(ctx, st, id); err != nil {
			return nil, err
		}
	}
	if err := testServer(ctx, r, sec, token); err != nil {
		return nil, err
	}
	if err := f.Write(ctx, st); err != nil {
		return nil, err
	}
	switch {
	case hasToken:
		err = statuscfg.SetToken(ctx, st, id, token)
	case delToken:
		err = statuscfg.DeleteToken(ctx, st, id)
	}
	if err != nil {
		return nil, err
	}
	return nil, reloadMetrics(ctx, r)
}

func deleteMetricServer(ctx context.Context, r *Request) (any, error) {
	st := r.Svc.Store
	unlock, err := statuscfg.Lock(ctx, st)
	if err != nil {
		return nil, err
	}
	defer unlock()
	f, err := statuscfg.Read(ctx, st)
	if err != nil {
		return nil, err
	}
	if err := f.Config.Delete(r.Params.String("id")); err != nil {
		return nil, err
	}
	if err := f.Write(ctx, st); err != nil {
		return nil, err
	}
	if err := statuscfg.DeleteToken(ctx, st, r.Params.String("id")); err != nil {
		return nil, err
	}
	return nil, reloadMetrics(ctx, r)
}

// testServer is the connection test of create and update (skipped for
// disabled servers and for types hostadm does not export to).
func testServer(ctx context.Context, r *Request, sec *sectioncfg.Section, token string) error {
	s, ok := statuscfg.ServerOf(sec)
	if !ok || s.Disable {
		return nil
	}
	s.Token = token
	if err := export.Test(ctx, s, probeLine(ctx, r)); err != nil {
		return fmt.Errorf("connection test failed: %w", err)
	}
	return nil
}

func reloadMetrics(ctx context.Context, r *Request) error {
	if r.Svc.Metrics == nil {
		return nil
	}
	return r.Svc.Metrics.Reload(ctx)
}
