package wire

// VoteHeaders is GET /consensus/votes/headers: the main chain's headers
// that carry a vote, ascending, from height from below height below. The
// range is done when next equals below; otherwise ask again from next.
type VoteHeaders struct {
	Headers []BlockHeader `json:"headers"`
	Below   uint64        `json:"below"` // the bound (at most the tip + 1)
	Next    uint64        `json:"next"`  // the from of the next page
}
