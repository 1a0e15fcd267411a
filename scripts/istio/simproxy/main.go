// simproxy: simulated Istio proxies for mesh's end-to-end tests and benchmarks.
//
// There is no Envoy on the test machines, but istiod only needs xDS clients. simproxy connects one
// delta-xDS client per proxy (Istio's own ADS client, istio.io/istio/pkg/adsc) to a real istiod,
// with the node ID and metadata a sidecar or gateway sends, and records what istiod pushes. Per
// proxy it can ACK, NACK a chosen type with an error message, stop ACKing (STALE), or disconnect.
// A proxy with an admin port serves an Envoy-admin-shaped /config_dump (and /clusters, /server_info)
// built from the resources istiod really pushed, and can hold a real workload certificate that
// istiod's CA signed.
//
// With "xdsTls" (which needs "ca"), the proxy connects to istiod's TLS xDS port (15012) as an
// authenticated proxy: istiod's root certificate and server name (the CA's), the workload
// certificate as client certificate and the CA token as bearer token. Like Envoy, it then asks
// over ADS for the SDS secrets its listeners and clusters name with an ADS config source (the
// `kubernetes://` secrets of a gateway's credentialName), which istiod serves only to such a proxy.
// Their private keys are redacted as they arrive ("[redacted]", as Envoy's admin prints them), so
// simproxy never holds or serves key material.
//
// Usage: simproxy --spec=FILE [--listen=127.0.0.1:0]
//
// The spec (JSON):
//
//	{"proxies": [{"pod": "web-1", "namespace": "apps", "ip": "10.0.0.5", "type": "sidecar",
//	  "istioVersion": "1.31.1", "clusterId": "Kubernetes", "serviceAccount": "default",
//	  "labels": {"app": "web"}, "xds": "127.0.0.1:15010", "xdsTls": false, "admin": true,
//	  "ca": {"addr": "127.0.0.1:15012", "san": "istiod.istio-system.svc", "rootCert": "/path/root.pem",
//	         "token": "<k8s token, audience istio-ca>", "validitySeconds": 86400},
//	  "behavior": {"mode": "ack|nack|stale", "type": "LDS", "message": "..."}}]}
//
// Control API on --listen (printed as the first stdout line, `READY {json}`):
//
//	GET  /healthz
//	GET  /proxies                        state of every proxy
//	GET  /proxies/{ns}/{pod}/resources   the resources istiod pushed, by type
//	POST /proxies/{ns}/{pod}/behavior    {"mode": "ack|nack|stale", "type": "LDS", "message": "..."}
//	POST /proxies/{ns}/{pod}/disconnect
//	POST /proxies/{ns}/{pod}/connect
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	adminv3 "github.com/envoyproxy/go-control-plane/envoy/admin/v3"
	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "istio.io/api/security/v1alpha1"
	"istio.io/istio/pilot/pkg/model"
	v3 "istio.io/istio/pilot/pkg/xds/v3"
	"istio.io/istio/pkg/adsc"
	"istio.io/istio/pkg/backoff"
	"istio.io/istio/pkg/log"
	"istio.io/istio/security/pkg/pki/util"

	// The filter and extension types istiod puts into listeners and clusters, so that /config_dump
	// can render every Any it received.
	_ "istio.io/istio/pilot/pkg/networking/core"
)

type Behavior struct {
	// ack (default), nack (answer this type with an error), stale (stop acknowledging this type).
	Mode string `json:"mode"`
	// Short xDS type (CDS, LDS, EDS, RDS, SDS, ECDS); empty means every type.
	Type    string `json:"type,omitempty"`
	Message string `json:"message,omitempty"`
}

type CASpec struct {
	Addr            string `json:"addr"`
	SAN             string `json:"san"`
	RootCert        string `json:"rootCert"`
	Token           string `json:"token"`
	ValiditySeconds int64  `json:"validitySeconds,omitempty"`
}

type ProxySpec struct {
	Pod            string            `json:"pod"`
	Namespace      string            `json:"namespace"`
	IP             string            `json:"ip"`
	Type           string            `json:"type,omitempty"` // sidecar (default) or router
	IstioVersion   string            `json:"istioVersion,omitempty"`
	ClusterID      string            `json:"clusterId,omitempty"`
	ServiceAccount string            `json:"serviceAccount,omitempty"`
	Labels         map[string]string `json:"labels,omitempty"`
	XDS            string            `json:"xds"`
	// Connect xDS over TLS (istiod's 15012) with the CA's root certificate and server name,
	// authenticated by the workload certificate and the CA token. Needs CA.
	XDSTLS   bool     `json:"xdsTls,omitempty"`
	Admin    bool     `json:"admin,omitempty"`
	CA       *CASpec  `json:"ca,omitempty"`
	Behavior Behavior `json:"behavior"`
}

type Spec struct {
	Proxies []ProxySpec `json:"proxies"`
}

// received is one resource as the proxy holds it.
type received struct {
	Name        string
	Version     string
	Resource    *anypb.Any
	LastUpdated time.Time
}

type typeState struct {
	// Accepted resources by name (what Envoy would have applied).
	Active map[string]*received
	// Responses received, ACKs and NACKs sent, ACKs withheld.
	Responses, Acks, Nacks, Withheld int
	LastNonce                        string
	LastError                        string
}

type proxy struct {
	spec      ProxySpec
	mu        sync.Mutex
	behavior  Behavior
	types     map[string]*typeState
	connected bool
	connects  int
	lastErr   string
	cancel    context.CancelFunc
	done      chan struct{}
	adminPort int
	cert      *certState
	// TLS of istiod's xDS port, with "xdsTls".
	xdsTLSConfig *tls.Config
	// What the current stream's resources depend on: dependency type URL -> parent resource ->
	// names (listeners -> their RDS route names, clusters -> their EDS service names).
	deps map[string]map[string][]string
}

// setDeps records (or with nil names, forgets) what one parent resource depends on.
func (p *proxy) setDeps(typeURL, parent string, names []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.deps == nil {
		p.deps = map[string]map[string][]string{}
	}
	if p.deps[typeURL] == nil {
		p.deps[typeURL] = map[string][]string{}
	}
	if names == nil {
		delete(p.deps[typeURL], parent)
		return
	}
	p.deps[typeURL][parent] = names
}

// neededLocked reports whether any current parent still depends on the named resource. p.mu held.
func (p *proxy) neededLocked(typeURL, name string) bool {
	for _, names := range p.deps[typeURL] {
		if slices.Contains(names, name) {
			return true
		}
	}
	return false
}

type certState struct {
	// The key pair of the workload certificate (the client certificate of TLS xDS).
	pair     tls.Certificate
	chainPEM []byte
	rootPEM  []byte
	leaf     *x509.Certificate
	root     *x509.Certificate
	at       time.Time
}

func (p *proxy) id() string { return p.spec.Pod + "." + p.spec.Namespace }

func shortType(typeURL string) string {
	switch typeURL {
	case v3.ClusterType:
		return "CDS"
	case v3.ListenerType:
		return "LDS"
	case v3.EndpointType:
		return "EDS"
	case v3.RouteType:
		return "RDS"
	case v3.SecretType:
		return "SDS"
	case v3.ExtensionConfigurationType:
		return "ECDS"
	}
	return v3.GetShortType(typeURL)
}

func (p *proxy) state(typeURL string) *typeState {
	s := p.types[typeURL]
	if s == nil {
		s = &typeState{Active: map[string]*received{}}
		p.types[typeURL] = s
	}
	return s
}

func (p *proxy) applies(b Behavior, typeURL string) bool {
	return b.Type == "" || strings.EqualFold(b.Type, shortType(typeURL))
}

// stream wraps the client's gRPC stream: every response is recorded, and every ACK passes through
// the proxy's behaviour (sent, turned into a NACK, or withheld).
type stream struct {
	grpc.ClientStream
	p *proxy
	// The nonce of the last response of each type on this stream.
	nonces map[string]string
	// Responses by nonce, applied once acknowledged.
	pending map[string]*discovery.DeltaDiscoveryResponse
}

func (s *stream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if err != nil {
		return err
	}
	if r, ok := m.(*discovery.DeltaDiscoveryResponse); ok {
		s.p.mu.Lock()
		st := s.p.state(r.TypeUrl)
		st.Responses++
		st.LastNonce = r.Nonce
		s.nonces[r.TypeUrl] = r.Nonce
		s.pending[r.Nonce] = r
		s.p.mu.Unlock()
	}
	return nil
}

func (s *stream) SendMsg(m any) error {
	req, ok := m.(*discovery.DeltaDiscoveryRequest)
	if !ok || strings.HasPrefix(req.TypeUrl, v3.DebugType) {
		return s.ClientStream.SendMsg(m)
	}
	s.p.mu.Lock()
	b := s.p.behavior
	st := s.p.state(req.TypeUrl)
	trimmed := false
	if len(req.ResourceNamesUnsubscribe) > 0 {
		// adsc (pkg/adsc/delta.go handleDeltaResponse) shares one handler context across all
		// resources of a response, so each listener (cluster) of a response is taken to depend on
		// the routes (endpoints) of the ones before it; a later response carrying only some of
		// them then unsubscribes routes that other listeners still use, and when the same name is
		// both subscribed and unsubscribed in one request istiod applies the unsubscribe. istiod
		// then stops generating those routes for this proxy (its debug config_dump has none)
		// while the proxy keeps them. Envoy never does that: drop the unsubscribe of anything a
		// current listener (cluster) still references, or that this request subscribes.
		keep := req.ResourceNamesUnsubscribe[:0:0]
		for _, name := range req.ResourceNamesUnsubscribe {
			if !slices.Contains(req.ResourceNamesSubscribe, name) && !s.p.neededLocked(req.TypeUrl, name) {
				keep = append(keep, name)
			}
		}
		if len(keep) != len(req.ResourceNamesUnsubscribe) {
			req = proto.Clone(req).(*discovery.DeltaDiscoveryRequest)
			req.ResourceNamesUnsubscribe = keep
			trimmed = true
		}
	}
	if req.ResponseNonce != "" && req.ResponseNonce != s.nonces[req.TypeUrl] {
		// adsc sends a new subscription with the nonce of the response that caused it (another
		// type's); for istiod that is an expired nonce and would be ignored. Send it as the
		// spontaneous request it is.
		req = proto.Clone(req).(*discovery.DeltaDiscoveryRequest)
		req.ResponseNonce = ""
	}
	if req.ResponseNonce != "" && req.ErrorDetail == nil {
		resp := s.pending[req.ResponseNonce]
		switch {
		case b.Mode == "stale" && s.p.applies(b, req.TypeUrl):
			st.Withheld++
			s.p.mu.Unlock()
			if len(req.ResourceNamesSubscribe) > 0 || len(req.ResourceNamesUnsubscribe) > 0 {
				spont := proto.Clone(req).(*discovery.DeltaDiscoveryRequest)
				spont.ResponseNonce = ""
				return s.ClientStream.SendMsg(spont)
			}
			return nil
		case b.Mode == "nack" && s.p.applies(b, req.TypeUrl):
			req = proto.Clone(req).(*discovery.DeltaDiscoveryRequest)
			msg := b.Message
			if msg == "" {
				msg = "simproxy: rejected " + shortType(req.TypeUrl)
			}
			req.ErrorDetail = &status.Status{Code: int32(codes.InvalidArgument), Message: msg}
			req.ResourceNamesSubscribe = nil
			req.ResourceNamesUnsubscribe = nil
			st.Nacks++
			st.LastError = msg
		default:
			st.Acks++
			st.LastError = ""
			if resp != nil {
				now := time.Now()
				for _, r := range resp.Resources {
					res := r.Resource
					if req.TypeUrl == v3.SecretType {
						res = redactSecret(res)
					}
					st.Active[r.Name] = &received{Name: r.Name, Version: r.Version, Resource: res, LastUpdated: now}
				}
				for _, name := range resp.RemovedResources {
					delete(st.Active, name)
				}
			}
		}
		delete(s.pending, req.ResponseNonce)
	} else if req.ErrorDetail != nil {
		st.Nacks++
		st.LastError = req.ErrorDetail.Message
	}
	s.p.mu.Unlock()
	if trimmed && req.ResponseNonce == "" && len(req.ResourceNamesSubscribe) == 0 && len(req.ResourceNamesUnsubscribe) == 0 {
		// Nothing left to ask for (a subscription change whose unsubscribes were all dropped above).
		return nil
	}
	return s.ClientStream.SendMsg(req)
}

func (p *proxy) interceptor(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string,
	streamer grpc.Streamer, opts ...grpc.CallOption,
) (grpc.ClientStream, error) {
	cs, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil {
		p.mu.Lock()
		p.lastErr = err.Error()
		p.mu.Unlock()
		return nil, err
	}
	p.mu.Lock()
	p.connected = true
	p.connects++
	// A new stream resubscribes from scratch (see connect).
	p.deps = nil
	p.lastErr = ""
	p.mu.Unlock()
	go func() {
		<-cs.Context().Done()
		p.mu.Lock()
		p.connected = false
		p.mu.Unlock()
	}()
	return &stream{ClientStream: cs, p: p, nonces: map[string]string{}, pending: map[string]*discovery.DeltaDiscoveryResponse{}}, nil
}

func (p *proxy) nodeMeta() *structpb.Struct {
	labels := map[string]any{}
	for k, v := range p.spec.Labels {
		labels[k] = v
	}
	sa := p.spec.ServiceAccount
	if sa == "" {
		sa = "default"
	}
	m := map[string]any{
		"ISTIO_VERSION":   p.spec.IstioVersion,
		"CLUSTER_ID":      p.spec.ClusterID,
		"NAMESPACE":       p.spec.Namespace,
		"NAME":            p.spec.Pod,
		"LABELS":          labels,
		"SERVICE_ACCOUNT": sa,
		"INSTANCE_IPS":    p.spec.IP,
		"MESH_ID":         "cluster.local",
		"WORKLOAD_NAME":   workloadName(p.spec),
		"PROXY_CONFIG":    map[string]any{"discoveryAddress": p.spec.XDS},
	}
	s, err := structpb.NewStruct(m)
	if err != nil {
		panic(err)
	}
	return s
}

func workloadName(s ProxySpec) string {
	if n := s.Labels["app"]; n != "" {
		return n
	}
	return s.Pod
}

func (p *proxy) connect() {
	p.mu.Lock()
	if p.cancel != nil {
		p.mu.Unlock()
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.done = make(chan struct{})
	done := p.done
	p.mu.Unlock()

	nodeType := model.SidecarProxy
	if p.spec.Type == "router" {
		nodeType = model.Router
	}
	// Secrets are asked for only over TLS: on the plaintext port istiod never serves them.
	sds := p.spec.XDSTLS
	secretDeps := func(ctx adsc.HandlerContext, res string, names []string) {
		if !sds {
			return
		}
		if len(names) == 0 {
			p.setDeps(v3.SecretType, res, nil)
			return
		}
		p.setDeps(v3.SecretType, res, append([]string{}, names...))
		ctx.RegisterDependency(v3.SecretType, names...)
	}
	handlers := []adsc.Option{
		adsc.Register(func(ctx adsc.HandlerContext, res string, _ string, c *cluster.Cluster, e adsc.Event) {
			if e == adsc.EventDelete || c == nil {
				p.setDeps(v3.EndpointType, res, nil)
				p.setDeps(v3.SecretType, res, nil)
				return
			}
			secretDeps(ctx, res, clusterSecretNames(c))
			if c.GetType() == cluster.Cluster_EDS {
				name := c.GetEdsClusterConfig().GetServiceName()
				if name == "" {
					name = c.GetName()
				}
				p.setDeps(v3.EndpointType, res, []string{name})
				ctx.RegisterDependency(v3.EndpointType, name)
			} else {
				p.setDeps(v3.EndpointType, res, nil)
			}
		}),
		adsc.Watch[*cluster.Cluster]("*"),
		adsc.Register(func(ctx adsc.HandlerContext, res string, _ string, l *listener.Listener, e adsc.Event) {
			if e == adsc.EventDelete || l == nil {
				p.setDeps(v3.RouteType, res, nil)
				p.setDeps(v3.SecretType, res, nil)
				return
			}
			names := routeNames(l)
			p.setDeps(v3.RouteType, res, append([]string{}, names...))
			ctx.RegisterDependency(v3.RouteType, names...)
			secretDeps(ctx, res, listenerSecretNames(l))
		}),
		adsc.Watch[*listener.Listener]("*"),
		adsc.Register(func(adsc.HandlerContext, string, string, *endpoint.ClusterLoadAssignment, adsc.Event) {}),
		adsc.Register(func(adsc.HandlerContext, string, string, *route.RouteConfiguration, adsc.Event) {}),
		adsc.Register(func(adsc.HandlerContext, string, string, *tlsv3.Secret, adsc.Event) {}),
	}
	creds := grpc.WithTransportCredentials(insecure.NewCredentials())
	dialOpts := []grpc.DialOption{grpc.WithStreamInterceptor(p.interceptor)}
	if p.xdsTLSConfig != nil {
		creds = grpc.WithTransportCredentials(credentials.NewTLS(p.xdsTLSConfig))
		dialOpts = append(dialOpts, grpc.WithPerRPCCredentials(bearer{token: p.spec.CA.Token, clusterID: p.spec.ClusterID}))
	}
	cfg := &adsc.DeltaADSConfig{Config: adsc.Config{
		ClientName: p.id(),
		Namespace:  p.spec.Namespace,
		Workload:   p.spec.Pod,
		IP:         p.spec.IP,
		NodeType:   nodeType,
		Meta:       p.nodeMeta(),
		GrpcOpts:   append([]grpc.DialOption{creds}, dialOpts...),
	}}
	bo := backoff.NewExponentialBackOff(backoff.Option{InitialInterval: 200 * time.Millisecond, MaxInterval: 2 * time.Second})
	go func() {
		defer close(done)
		// One new adsc client per stream, as Envoy resubscribes to everything when it reconnects.
		// adsc's own reconnect keeps its resource tree and sends only the initial wildcard watches
		// again, so the routes and endpoints it had were never subscribed on the new stream: istiod
		// then had no RDS/EDS watch for the proxy (its debug config_dump showed no routes) while the
		// proxy still held the old ones.
		for ctx.Err() == nil {
			started := time.Now()
			client := adsc.NewDelta(p.spec.XDS, cfg, handlers...)
			client.Run(ctx)
			if ctx.Err() != nil {
				return
			}
			if time.Since(started) > 10*time.Second {
				bo.Reset()
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(bo.NextBackOff()):
			}
		}
	}()
}

func (p *proxy) disconnect() {
	p.mu.Lock()
	cancel, done := p.cancel, p.done
	p.cancel = nil
	p.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	p.mu.Lock()
	p.connected = false
	p.mu.Unlock()
}

func routeNames(l *listener.Listener) []string {
	var out []string
	chains := append([]*listener.FilterChain{}, l.GetFilterChains()...)
	if l.GetDefaultFilterChain() != nil {
		chains = append(chains, l.GetDefaultFilterChain())
	}
	for _, fc := range chains {
		for _, f := range fc.GetFilters() {
			tc := f.GetTypedConfig()
			if tc == nil || tc.GetTypeUrl() != "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager" {
				continue
			}
			h := &hcm.HttpConnectionManager{}
			if err := tc.UnmarshalTo(h); err != nil {
				continue
			}
			if n := h.GetRds().GetRouteConfigName(); n != "" {
				out = append(out, n)
			}
		}
	}
	return out
}

// sdsSecretNames are the SDS secrets a TLS context asks for over ADS (what Envoy subscribes to on
// its xDS stream; the others, such as `default` and `ROOTCA`, come from the agent's SDS server).
func sdsSecretNames(common *tlsv3.CommonTlsContext) []string {
	var configs []*tlsv3.SdsSecretConfig
	configs = append(configs, common.GetTlsCertificateSdsSecretConfigs()...)
	configs = append(configs, common.GetValidationContextSdsSecretConfig(), common.GetCombinedValidationContext().GetValidationContextSdsSecretConfig())
	var out []string
	for _, c := range configs {
		if c.GetName() != "" && c.GetSdsConfig().GetAds() != nil && !slices.Contains(out, c.GetName()) {
			out = append(out, c.GetName())
		}
	}
	return out
}

const (
	downstreamTLS = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext"
	upstreamTLS   = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext"
)

func listenerSecretNames(l *listener.Listener) []string {
	var sockets []*core.TransportSocket
	for _, fc := range l.GetFilterChains() {
		sockets = append(sockets, fc.GetTransportSocket())
	}
	if l.GetDefaultFilterChain() != nil {
		sockets = append(sockets, l.GetDefaultFilterChain().GetTransportSocket())
	}
	return socketSecretNames(sockets)
}

func clusterSecretNames(c *cluster.Cluster) []string {
	sockets := []*core.TransportSocket{c.GetTransportSocket()}
	for _, m := range c.GetTransportSocketMatches() {
		sockets = append(sockets, m.GetTransportSocket())
	}
	return socketSecretNames(sockets)
}

// socketSecretNames are the SDS secrets the TLS transport sockets among these ask for over ADS
// (a listener's DownstreamTlsContext, a cluster's UpstreamTlsContext), each once.
func socketSecretNames(sockets []*core.TransportSocket) []string {
	var out []string
	for _, ts := range sockets {
		tc := ts.GetTypedConfig()
		var common *tlsv3.CommonTlsContext
		switch tc.GetTypeUrl() {
		case downstreamTLS:
			d := &tlsv3.DownstreamTlsContext{}
			if tc.UnmarshalTo(d) != nil {
				continue
			}
			common = d.GetCommonTlsContext()
		case upstreamTLS:
			u := &tlsv3.UpstreamTlsContext{}
			if tc.UnmarshalTo(u) != nil {
				continue
			}
			common = u.GetCommonTlsContext()
		default:
			continue
		}
		for _, n := range sdsSecretNames(common) {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// redactSecret is the secret as Envoy's admin shows it: every private key replaced by
// "[redacted]" (a private key provider's configuration, which holds the key, dropped).
func redactSecret(a *anypb.Any) *anypb.Any {
	s := &tlsv3.Secret{}
	if err := a.UnmarshalTo(s); err != nil {
		// Not a secret simproxy can read: keep nothing of it.
		return mustAny(&tlsv3.Secret{})
	}
	if c := s.GetTlsCertificate(); c != nil {
		redacted := func() *core.DataSource {
			return &core.DataSource{Specifier: &core.DataSource_InlineBytes{InlineBytes: []byte("[redacted]")}}
		}
		if c.PrivateKey != nil {
			c.PrivateKey = redacted()
		}
		if c.Pkcs12 != nil {
			c.Pkcs12 = redacted()
		}
		if c.Password != nil {
			c.Password = redacted()
		}
		if c.PrivateKeyProvider != nil {
			c.PrivateKeyProvider.ConfigType = nil
		}
	}
	return mustAny(s)
}

// bearer sends the CA token with every xDS call, as istiod's JWT authenticator reads it.
type bearer struct{ token, clusterID string }

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + b.token, "clusterid": b.clusterID}, nil
}

func (bearer) RequireTransportSecurity() bool { return true }

// xdsTLS is the TLS of istiod's xDS port: the CA's root certificate and server name, and the
// workload certificate as client certificate.
func (p *proxy) xdsTLS() (*tls.Config, error) {
	ca := p.spec.CA
	root, err := os.ReadFile(ca.RootCert)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(root) {
		return nil, fmt.Errorf("no certificate in %s", ca.RootCert)
	}
	return &tls.Config{
		RootCAs:    pool,
		ServerName: ca.SAN,
		MinVersion: tls.VersionTLS12,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			p.mu.Lock()
			defer p.mu.Unlock()
			if p.cert == nil {
				return &tls.Certificate{}, nil
			}
			return &p.cert.pair, nil
		},
	}, nil
}

// ----------------------------------------------------------------------------- certificates

func (p *proxy) fetchCert() error {
	ca := p.spec.CA
	root, err := os.ReadFile(ca.RootCert)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(root) {
		return fmt.Errorf("no certificate in %s", ca.RootCert)
	}
	sa := p.spec.ServiceAccount
	if sa == "" {
		sa = "default"
	}
	spiffe := fmt.Sprintf("spiffe://cluster.local/ns/%s/sa/%s", p.spec.Namespace, sa)
	csr, keyPEM, err := util.GenCSR(util.CertOptions{Host: spiffe, ECSigAlg: util.EcdsaSigAlg})
	if err != nil {
		return err
	}
	conn, err := grpc.NewClient(ca.Addr, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: pool, ServerName: ca.SAN, MinVersion: tls.VersionTLS12})))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+ca.Token, "ClusterID", p.spec.ClusterID)
	validity := ca.ValiditySeconds
	if validity == 0 {
		validity = 86400
	}
	resp, err := pb.NewIstioCertificateServiceClient(conn).CreateCertificate(ctx, &pb.IstioCertificateRequest{Csr: string(csr), ValidityDuration: validity})
	if err != nil {
		return err
	}
	chain := resp.GetCertChain()
	if len(chain) == 0 {
		return errors.New("the CA returned no certificate")
	}
	leaf, err := parsePEM([]byte(chain[0]))
	if err != nil {
		return err
	}
	rootCert, err := parsePEM([]byte(chain[len(chain)-1]))
	if err != nil {
		return err
	}
	chainPEM := []byte(strings.Join(chain[:max(1, len(chain)-1)], ""))
	pair, err := tls.X509KeyPair(chainPEM, keyPEM)
	if err != nil {
		return fmt.Errorf("the CA's certificate and the key: %v", err)
	}
	p.mu.Lock()
	p.cert = &certState{pair: pair, chainPEM: chainPEM, rootPEM: []byte(chain[len(chain)-1]), leaf: leaf, root: rootCert, at: time.Now()}
	p.mu.Unlock()
	return nil
}

func parsePEM(b []byte) (*x509.Certificate, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("not PEM")
	}
	return x509.ParseCertificate(blk.Bytes)
}

// ----------------------------------------------------------------------------- admin (/config_dump)

var marshal = protojson.MarshalOptions{UseProtoNames: true, Indent: "  "}

func mustAny(m proto.Message) *anypb.Any {
	a, err := anypb.New(m)
	if err != nil {
		panic(err)
	}
	return a
}

func sortedActive(st *typeState) []*received {
	if st == nil {
		return nil
	}
	out := make([]*received, 0, len(st.Active))
	for _, r := range st.Active {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (p *proxy) configDump() *adminv3.ConfigDump {
	p.mu.Lock()
	defer p.mu.Unlock()
	node := &core.Node{
		Id:            fmt.Sprintf("%s~%s~%s~%s.svc.cluster.local", nodeTypeOf(p.spec), p.spec.IP, p.id(), p.spec.Namespace),
		Cluster:       workloadName(p.spec) + "." + p.spec.Namespace,
		Metadata:      p.nodeMeta(),
		UserAgentName: "envoy",
	}
	boot := &adminv3.BootstrapConfigDump{
		Bootstrap:   bootstrap(node, p.spec),
		LastUpdated: timestamppb.New(time.Now()),
	}
	clusters := &adminv3.ClustersConfigDump{}
	for _, r := range sortedActive(p.types[v3.ClusterType]) {
		clusters.DynamicActiveClusters = append(clusters.DynamicActiveClusters, &adminv3.ClustersConfigDump_DynamicCluster{
			VersionInfo: r.Version, Cluster: r.Resource, LastUpdated: timestamppb.New(r.LastUpdated),
		})
	}
	listeners := &adminv3.ListenersConfigDump{}
	for _, r := range sortedActive(p.types[v3.ListenerType]) {
		listeners.DynamicListeners = append(listeners.DynamicListeners, &adminv3.ListenersConfigDump_DynamicListener{
			Name: r.Name,
			ActiveState: &adminv3.ListenersConfigDump_DynamicListenerState{
				VersionInfo: r.Version, Listener: r.Resource, LastUpdated: timestamppb.New(r.LastUpdated),
			},
		})
	}
	routes := &adminv3.RoutesConfigDump{}
	for _, r := range sortedActive(p.types[v3.RouteType]) {
		routes.DynamicRouteConfigs = append(routes.DynamicRouteConfigs, &adminv3.RoutesConfigDump_DynamicRouteConfig{
			VersionInfo: r.Version, RouteConfig: r.Resource, LastUpdated: timestamppb.New(r.LastUpdated),
		})
	}
	secrets := &adminv3.SecretsConfigDump{}
	if c := p.cert; c != nil {
		// From the agent's SDS server in a real pod.
		ver := c.at.UTC().Format(time.RFC3339Nano)
		secrets.DynamicActiveSecrets = []*adminv3.SecretsConfigDump_DynamicSecret{
			{
				Name: "default", VersionInfo: ver, LastUpdated: timestamppb.New(c.at),
				Secret: mustAny(&tlsv3.Secret{Name: "default", Type: &tlsv3.Secret_TlsCertificate{TlsCertificate: &tlsv3.TlsCertificate{
					CertificateChain: &core.DataSource{Specifier: &core.DataSource_InlineBytes{InlineBytes: c.chainPEM}},
					// Envoy never shows private keys.
					PrivateKey: &core.DataSource{Specifier: &core.DataSource_InlineBytes{InlineBytes: []byte("[redacted]")}},
				}}}),
			},
			{
				Name: "ROOTCA", VersionInfo: ver, LastUpdated: timestamppb.New(c.at),
				Secret: mustAny(&tlsv3.Secret{Name: "ROOTCA", Type: &tlsv3.Secret_ValidationContext{ValidationContext: &tlsv3.CertificateValidationContext{
					TrustedCa: &core.DataSource{Specifier: &core.DataSource_InlineBytes{InlineBytes: c.rootPEM}},
				}}}),
			},
		}
	}
	// Over ADS from istiod (redacted when they arrived).
	for _, r := range sortedActive(p.types[v3.SecretType]) {
		secrets.DynamicActiveSecrets = append(secrets.DynamicActiveSecrets, &adminv3.SecretsConfigDump_DynamicSecret{
			Name: r.Name, VersionInfo: r.Version, LastUpdated: timestamppb.New(r.LastUpdated), Secret: r.Resource,
		})
	}
	return &adminv3.ConfigDump{Configs: []*anypb.Any{
		mustAny(boot), mustAny(clusters), mustAny(listeners), mustAny(&adminv3.ScopedRoutesConfigDump{}), mustAny(routes), mustAny(secrets),
	}}
}

// bootstrap is what pilot-agent would give Envoy: the node, the admin port, and ADS through the
// xds-grpc cluster to istiod.
func bootstrap(node *core.Node, s ProxySpec) *bootstrapv3.Bootstrap {
	host, port, _ := net.SplitHostPort(s.XDS)
	var portNum uint32
	_, _ = fmt.Sscanf(port, "%d", &portNum)
	ads := &core.ConfigSource{ResourceApiVersion: core.ApiVersion_V3, ConfigSourceSpecifier: &core.ConfigSource_Ads{Ads: &core.AggregatedConfigSource{}}}
	return &bootstrapv3.Bootstrap{
		Node:  node,
		Admin: &bootstrapv3.Admin{Address: socketAddress("127.0.0.1", 15000)},
		DynamicResources: &bootstrapv3.Bootstrap_DynamicResources{
			AdsConfig: &core.ApiConfigSource{
				ApiType:             core.ApiConfigSource_DELTA_GRPC,
				TransportApiVersion: core.ApiVersion_V3,
				GrpcServices:        []*core.GrpcService{{TargetSpecifier: &core.GrpcService_EnvoyGrpc_{EnvoyGrpc: &core.GrpcService_EnvoyGrpc{ClusterName: "xds-grpc"}}}},
			},
			CdsConfig: ads,
			LdsConfig: ads,
		},
		StaticResources: &bootstrapv3.Bootstrap_StaticResources{Clusters: []*cluster.Cluster{{
			Name:                 "xds-grpc",
			ClusterDiscoveryType: &cluster.Cluster_Type{Type: cluster.Cluster_STATIC},
			LoadAssignment: &endpoint.ClusterLoadAssignment{ClusterName: "xds-grpc", Endpoints: []*endpoint.LocalityLbEndpoints{{
				LbEndpoints: []*endpoint.LbEndpoint{{HostIdentifier: &endpoint.LbEndpoint_Endpoint{Endpoint: &endpoint.Endpoint{Address: socketAddress(host, portNum)}}}},
			}}},
		}}},
	}
}

func socketAddress(host string, port uint32) *core.Address {
	return &core.Address{Address: &core.Address_SocketAddress{SocketAddress: &core.SocketAddress{Address: host, PortSpecifier: &core.SocketAddress_PortValue{PortValue: port}}}}
}

func nodeTypeOf(s ProxySpec) string {
	if s.Type == "router" {
		return "router"
	}
	return "sidecar"
}

// /clusters?format=json: the endpoints of each cluster as Envoy's cluster manager has them.
func (p *proxy) clusterStatuses() *adminv3.Clusters {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := &adminv3.Clusters{}
	eds := p.types[v3.EndpointType]
	for _, r := range sortedActive(p.types[v3.ClusterType]) {
		c := &cluster.Cluster{}
		if err := r.Resource.UnmarshalTo(c); err != nil {
			continue
		}
		cs := &adminv3.ClusterStatus{Name: c.GetName(), AddedViaApi: true}
		if c.GetType() == cluster.Cluster_EDS && eds != nil {
			name := c.GetEdsClusterConfig().GetServiceName()
			if name == "" {
				name = c.GetName()
			}
			if la := eds.Active[name]; la != nil {
				cla := &endpoint.ClusterLoadAssignment{}
				if err := la.Resource.UnmarshalTo(cla); err == nil {
					for _, lle := range cla.GetEndpoints() {
						for _, lb := range lle.GetLbEndpoints() {
							cs.HostStatuses = append(cs.HostStatuses, &adminv3.HostStatus{
								Address:      lb.GetEndpoint().GetAddress(),
								Weight:       lb.GetLoadBalancingWeight().GetValue(),
								Locality:     lle.GetLocality(),
								HealthStatus: &adminv3.HostHealthStatus{EdsHealthStatus: lb.GetHealthStatus()},
							})
						}
					}
				}
			}
		}
		out.ClusterStatuses = append(out.ClusterStatuses, cs)
	}
	return out
}

func (p *proxy) serveAdmin() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	p.adminPort = ln.Addr().(*net.TCPAddr).Port
	mux := http.NewServeMux()
	writeProto := func(w http.ResponseWriter, m proto.Message) {
		b, err := marshal.Marshal(m)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("content-type", "application/json")
		_, _ = w.Write(b)
	}
	mux.HandleFunc("/config_dump", func(w http.ResponseWriter, r *http.Request) { writeProto(w, p.configDump()) })
	mux.HandleFunc("/clusters", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("format") != "json" {
			http.Error(w, "simproxy serves /clusters?format=json only", http.StatusBadRequest)
			return
		}
		writeProto(w, p.clusterStatuses())
	})
	mux.HandleFunc("/server_info", func(w http.ResponseWriter, r *http.Request) {
		writeProto(w, &adminv3.ServerInfo{Version: "simproxy/" + p.spec.IstioVersion, State: adminv3.ServerInfo_LIVE})
	})
	go func() { _ = http.Serve(ln, mux) }()
	return nil
}

// ----------------------------------------------------------------------------- control API

type proxyView struct {
	ID        string              `json:"id"`
	Connected bool                `json:"connected"`
	Connects  int                 `json:"connects"`
	LastError string              `json:"lastError,omitempty"`
	AdminPort int                 `json:"adminPort,omitempty"`
	Behavior  Behavior            `json:"behavior"`
	Types     map[string]typeView `json:"types"`
	Cert      map[string]string   `json:"cert,omitempty"`
}

type typeView struct {
	Resources int    `json:"resources"`
	Responses int    `json:"responses"`
	Acks      int    `json:"acks"`
	Nacks     int    `json:"nacks"`
	Withheld  int    `json:"withheld"`
	LastNonce string `json:"lastNonce,omitempty"`
	LastError string `json:"lastError,omitempty"`
}

func (p *proxy) view() proxyView {
	p.mu.Lock()
	defer p.mu.Unlock()
	v := proxyView{ID: p.id(), Connected: p.connected, Connects: p.connects, LastError: p.lastErr, AdminPort: p.adminPort, Behavior: p.behavior, Types: map[string]typeView{}}
	for url, st := range p.types {
		v.Types[shortType(url)] = typeView{len(st.Active), st.Responses, st.Acks, st.Nacks, st.Withheld, st.LastNonce, st.LastError}
	}
	if p.cert != nil {
		v.Cert = map[string]string{"serial": p.cert.leaf.SerialNumber.Text(16), "notAfter": p.cert.leaf.NotAfter.UTC().Format(time.RFC3339)}
	}
	return v
}

func main() {
	specFile := flag.String("spec", "", "JSON file with the proxies")
	listen := flag.String("listen", "127.0.0.1:0", "control API address")
	flag.Parse()
	// adsc logs every response at info; keep warnings only.
	for _, s := range log.Scopes() {
		s.SetOutputLevel(log.WarnLevel)
	}
	raw, err := os.ReadFile(*specFile)
	if err != nil {
		fatal(err)
	}
	var spec Spec
	if err := json.Unmarshal(raw, &spec); err != nil {
		fatal(fmt.Errorf("%s: %v", *specFile, err))
	}
	proxies := map[string]*proxy{}
	order := []*proxy{}
	for _, s := range spec.Proxies {
		if s.Pod == "" || s.Namespace == "" || s.XDS == "" {
			fatal(fmt.Errorf("%s: every proxy needs pod, namespace and xds", *specFile))
		}
		if s.IstioVersion == "" {
			s.IstioVersion = "1.31.1"
		}
		if s.ClusterID == "" {
			s.ClusterID = "Kubernetes"
		}
		if s.Behavior.Mode == "" {
			s.Behavior.Mode = "ack"
		}
		p := &proxy{spec: s, behavior: s.Behavior, types: map[string]*typeState{}}
		if s.Admin {
			if err := p.serveAdmin(); err != nil {
				fatal(err)
			}
		}
		if s.XDSTLS && s.CA == nil {
			fatal(fmt.Errorf("%s: proxy %s: xdsTls needs ca (its root certificate, server name, token and workload certificate)", *specFile, p.id()))
		}
		if s.CA != nil {
			if err := p.fetchCert(); err != nil {
				fatal(fmt.Errorf("proxy %s: certificate from %s: %v", p.id(), s.CA.Addr, err))
			}
			if s.XDSTLS {
				if p.xdsTLSConfig, err = p.xdsTLS(); err != nil {
					fatal(fmt.Errorf("proxy %s: TLS of %s: %v", p.id(), s.XDS, err))
				}
			}
		}
		proxies[p.id()] = p
		order = append(order, p)
	}
	for _, p := range order {
		p.connect()
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("/proxies", func(w http.ResponseWriter, _ *http.Request) {
		out := make([]proxyView, 0, len(order))
		for _, p := range order {
			out = append(out, p.view())
		}
		_ = json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("/proxies/", func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/proxies/"), "/")
		if len(parts) != 3 {
			http.NotFound(w, r)
			return
		}
		p := proxies[parts[1]+"."+parts[0]]
		if p == nil {
			http.Error(w, "no proxy "+parts[1]+"."+parts[0], http.StatusNotFound)
			return
		}
		switch {
		case parts[2] == "resources" && r.Method == http.MethodGet:
			p.mu.Lock()
			out := map[string][]json.RawMessage{}
			for url, st := range p.types {
				for _, rr := range sortedActive(st) {
					b, err := marshal.Marshal(rr.Resource)
					if err == nil {
						out[shortType(url)] = append(out[shortType(url)], b)
					}
				}
			}
			p.mu.Unlock()
			_ = json.NewEncoder(w).Encode(out)
		case parts[2] == "behavior" && r.Method == http.MethodPost:
			var b Behavior
			if err := json.NewDecoder(r.Body).Decode(&b); err != nil || (b.Mode != "ack" && b.Mode != "nack" && b.Mode != "stale") {
				http.Error(w, `want {"mode": "ack|nack|stale", "type": "...", "message": "..."}`, http.StatusBadRequest)
				return
			}
			p.mu.Lock()
			p.behavior = b
			p.mu.Unlock()
			_ = json.NewEncoder(w).Encode(p.view())
		case parts[2] == "disconnect" && r.Method == http.MethodPost:
			p.disconnect()
			_ = json.NewEncoder(w).Encode(p.view())
		case parts[2] == "connect" && r.Method == http.MethodPost:
			p.connect()
			_ = json.NewEncoder(w).Encode(p.view())
		default:
			http.NotFound(w, r)
		}
	})
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fatal(err)
	}
	admin := map[string]int{}
	for _, p := range order {
		if p.adminPort != 0 {
			admin[p.id()] = p.adminPort
		}
	}
	ready, _ := json.Marshal(map[string]any{"control": ln.Addr().String(), "admin": admin})
	fmt.Printf("READY %s\n", ready)
	go func() { _ = http.Serve(ln, mux) }()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	var wg sync.WaitGroup
	for _, p := range order {
		wg.Add(1)
		go func() { defer wg.Done(); p.disconnect() }()
	}
	wg.Wait()
}

func fatal(err error) {
	fmt.Fprintf(os.Stderr, "simproxy: %v\n", err)
	os.Exit(1)
}
