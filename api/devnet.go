package api

import (
	"context"
	"net/http"
	"reflect"

	"github.com/cairn-chain/cairn/api/wire"
)

const tagDevnet = "devnet"

// DevnetControl is what `cairn devnet` exposes for fault injection. The
// routes exist only on a devnet's first node, which listens on loopback;
// they take JSON bodies, so a cross-site form cannot trigger them.
type DevnetControl interface {
	Nodes() wire.DevnetNodes
	Stop(i int) error
	Start(ctx context.Context, i int) error
	Partition(groups [][]int) error
	Heal() error
}

type (
	devnetNodesOut struct{ Body wire.DevnetNodes }
	devnetNodeIn   struct {
		Index int `path:"index" doc:"The node's index, from 0"`
	}
)

func (s *Server) registerDevnet() {
	register(s, route{
		id: "devnet-nodes", method: http.MethodGet, path: "/devnet/nodes", tag: tagDevnet,
		summary: "The devnet's nodes side by side (height, tip, digest, peers, partition group)",
	}, s.devnetNodes)
	register(s, route{
		id: "devnet-stop", method: http.MethodPost, path: "/devnet/nodes/{index}/stop", tag: tagDevnet,
		summary: "Stop a devnet node (its data is kept)", errs: []int{http.StatusBadRequest, http.StatusNotFound},
	}, func(ctx context.Context, in *devnetNodeIn) (*devnetNodesOut, error) {
		return s.devnetDo(func() error { return s.cfg.Devnet.Stop(in.Index) })
	})
	register(s, route{
		id: "devnet-start", method: http.MethodPost, path: "/devnet/nodes/{index}/start", tag: tagDevnet,
		summary: "Start a stopped devnet node again", errs: []int{http.StatusBadRequest, http.StatusNotFound},
	}, func(ctx context.Context, in *devnetNodeIn) (*devnetNodesOut, error) {
		return s.devnetDo(func() error { return s.cfg.Devnet.Start(ctx, in.Index) })
	})
	register(s, route{
		id: "devnet-partition", method: http.MethodPost, path: "/devnet/partition", tag: tagDevnet,
		summary: "Partition the nodes into groups that cannot reach each other",
		desc:    `Body: {"groups": [[0,1],[2,3,4]]}. Every node must be in exactly one group.`,
		body:    reflect.TypeFor[wire.DevnetPartition](), errs: []int{http.StatusBadRequest},
	}, func(ctx context.Context, _ *struct{}) (*devnetNodesOut, error) {
		var in wire.DevnetPartition
		if p := decodeStrict(bodyOf(ctx), &in); p != nil {
			return nil, p
		}
		return s.devnetDo(func() error { return s.cfg.Devnet.Partition(in.Groups) })
	})
	register(s, route{
		id: "devnet-heal", method: http.MethodPost, path: "/devnet/heal", tag: tagDevnet,
		summary: "End a partition: every node may reach every other again",
	}, func(ctx context.Context, _ *struct{}) (*devnetNodesOut, error) {
		return s.devnetDo(s.cfg.Devnet.Heal)
	})
}

func (s *Server) devnetNodes(context.Context, *struct{}) (*devnetNodesOut, error) {
	return &devnetNodesOut{Body: s.cfg.Devnet.Nodes()}, nil
}

// devnetDo runs a control action and answers the nodes' state; control
// errors are the caller's (bad index, bad groups) unless they are rule
// errors of another kind.
func (s *Server) devnetDo(f func() error) (*devnetNodesOut, error) {
	if err := f(); err != nil {
		return nil, s.toProblem(err)
	}
	return &devnetNodesOut{Body: s.cfg.Devnet.Nodes()}, nil
}
