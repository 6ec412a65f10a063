// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the endpoint state machine, tdi_state_allowed().
 */

#include <kunit/test.h>
#include <linux/kernel.h>

#include "../tdi.h"

#define TDI_NR_STATES	(TDI_STATE_CLOSING + 1)

struct tdi_state_case {
	int old;
	int state;
	bool allowed;
	const char *why;
};

#define ALLOW(o, n, w)	{ TDI_STATE_##o, TDI_STATE_##n, true, w }
#define REFUSE(o, n, w)	{ TDI_STATE_##o, TDI_STATE_##n, false, w }

/* Every transition the state machine allows is listed here (the matrix
 * test below checks that nothing else is), followed by refused ones.
 */
static const struct tdi_state_case tdi_state_cases[] = {
	ALLOW(IDLE, BOUND, "bind or associate"),
	ALLOW(BOUND, IDLE, "disassociate"),
	ALLOW(BOUND, LISTENING, "listen"),
	ALLOW(BOUND, CONNECTING, "connect"),
	ALLOW(BOUND, CONNECTED, "child of a BSD listener"),
	ALLOW(LISTENING, OFFERED, "offer for a query-accept listen"),
	ALLOW(LISTENING, BOUND, "listen ends"),
	ALLOW(CONNECTING, CONNECTED, "ACCEPT received"),
	ALLOW(CONNECTING, BOUND, "refused, timed out or aborted"),
	ALLOW(OFFERED, CONNECTED, "offer accepted"),
	ALLOW(OFFERED, BOUND, "offer rejected or expired"),
	ALLOW(CONNECTED, RELEASE_SENT, "we release first"),
	ALLOW(CONNECTED, RELEASE_RECEIVED, "the peer releases first"),
	ALLOW(CONNECTED, BOUND, "abort"),
	ALLOW(RELEASE_SENT, CLOSING, "the peer releases too"),
	ALLOW(RELEASE_SENT, BOUND, "abort after our release"),
	ALLOW(RELEASE_RECEIVED, CLOSING, "we release too"),
	ALLOW(RELEASE_RECEIVED, BOUND, "abort after the peer's release"),
	ALLOW(CLOSING, BOUND, "release complete"),

	REFUSE(IDLE, CONNECTED, "no address, no connection"),
	REFUSE(IDLE, CONNECTING, "connect needs an address first"),
	REFUSE(IDLE, LISTENING, "listen needs an address first"),
	REFUSE(IDLE, OFFERED, "no listen"),
	REFUSE(IDLE, CLOSING, "no connection"),
	ALLOW(BOUND, OFFERED, "query-accept listener's new child"),
	REFUSE(BOUND, RELEASE_SENT, "release without a connection"),
	REFUSE(BOUND, CLOSING, "no connection to close"),
	REFUSE(LISTENING, CONNECTING, "connect while listening"),
	REFUSE(LISTENING, IDLE, "disassociate while listening"),
	REFUSE(LISTENING, RELEASE_RECEIVED, "no connection"),
	REFUSE(CONNECTING, LISTENING, "listen while connecting"),
	REFUSE(CONNECTING, OFFERED, "offer while connecting"),
	REFUSE(CONNECTING, RELEASE_SENT, "release before connected"),
	REFUSE(CONNECTING, IDLE, "disassociate while connecting"),
	REFUSE(OFFERED, LISTENING, "offer back to listening"),
	REFUSE(OFFERED, RELEASE_RECEIVED, "release before the decision"),
	REFUSE(OFFERED, IDLE, "disassociate with an offer"),
	REFUSE(CONNECTED, CLOSING, "closing needs both releases"),
	REFUSE(CONNECTED, CONNECTING, "connect while connected"),
	REFUSE(CONNECTED, LISTENING, "listen while connected"),
	REFUSE(CONNECTED, IDLE, "disassociate while connected"),
	REFUSE(CONNECTED, OFFERED, "offer while connected"),
	REFUSE(RELEASE_SENT, RELEASE_RECEIVED, "a second release is closing"),
	REFUSE(RELEASE_RECEIVED, RELEASE_SENT, "a second release is closing"),
	REFUSE(RELEASE_SENT, CONNECTED, "a release is final"),
	REFUSE(RELEASE_RECEIVED, CONNECTED, "a release is final"),
	REFUSE(RELEASE_SENT, IDLE, "disassociate while releasing"),
	REFUSE(CLOSING, CONNECTED, "a release is final"),
	REFUSE(CLOSING, RELEASE_SENT, "closing goes only to bound"),
	REFUSE(CLOSING, RELEASE_RECEIVED, "closing goes only to bound"),
	REFUSE(CLOSING, IDLE, "disassociate while closing"),
	REFUSE(IDLE, IDLE, "same state"),
	REFUSE(BOUND, BOUND, "same state"),
	REFUSE(LISTENING, LISTENING, "same state"),
	REFUSE(CONNECTING, CONNECTING, "same state"),
	REFUSE(OFFERED, OFFERED, "same state"),
	REFUSE(CONNECTED, CONNECTED, "same state"),
	REFUSE(RELEASE_SENT, RELEASE_SENT, "same state"),
	REFUSE(RELEASE_RECEIVED, RELEASE_RECEIVED, "same state"),
	REFUSE(CLOSING, CLOSING, "same state"),
};

static const char *const tdi_state_names[TDI_NR_STATES] = {
	[TDI_STATE_IDLE]		= "IDLE",
	[TDI_STATE_BOUND]		= "BOUND",
	[TDI_STATE_LISTENING]		= "LISTENING",
	[TDI_STATE_CONNECTING]		= "CONNECTING",
	[TDI_STATE_OFFERED]		= "OFFERED",
	[TDI_STATE_CONNECTED]		= "CONNECTED",
	[TDI_STATE_RELEASE_SENT]	= "RELEASE_SENT",
	[TDI_STATE_RELEASE_RECEIVED]	= "RELEASE_RECEIVED",
	[TDI_STATE_CLOSING]		= "CLOSING",
};

static void tdi_state_case_desc(const struct tdi_state_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s %s->%s (%s)",
		 c->allowed ? "allow" : "refuse", tdi_state_names[c->old],
		 tdi_state_names[c->state], c->why);
}

KUNIT_ARRAY_PARAM(tdi_state, tdi_state_cases, tdi_state_case_desc);

static void tdi_state_transition_test(struct kunit *test)
{
	const struct tdi_state_case *c = test->param_value;

	KUNIT_EXPECT_EQ_MSG(test, tdi_state_allowed(c->old, c->state),
			    c->allowed, "%s -> %s",
			    tdi_state_names[c->old], tdi_state_names[c->state]);
}

/* The table's allowed entries are the whole set: every other pair is refused. */
static void tdi_state_matrix_test(struct kunit *test)
{
	unsigned int i;
	int old, state;

	for (old = 0; old < TDI_NR_STATES; old++) {
		for (state = 0; state < TDI_NR_STATES; state++) {
			bool listed = false;

			for (i = 0; i < ARRAY_SIZE(tdi_state_cases); i++) {
				const struct tdi_state_case *c =
					&tdi_state_cases[i];

				if (c->old == old && c->state == state &&
				    c->allowed)
					listed = true;
			}
			KUNIT_EXPECT_EQ_MSG(test,
					    tdi_state_allowed(old, state),
					    listed, "%s -> %s",
					    tdi_state_names[old],
					    tdi_state_names[state]);
		}
	}
}

/* No state outside the TDI_STATE_* range is ever entered. */
static void tdi_state_unknown_target_test(struct kunit *test)
{
	static const int bad[] = { -1, TDI_NR_STATES, 100, INT_MAX, INT_MIN };
	unsigned int i;
	int old;

	for (old = 0; old < TDI_NR_STATES; old++)
		for (i = 0; i < ARRAY_SIZE(bad); i++)
			KUNIT_EXPECT_FALSE_MSG(test,
					       tdi_state_allowed(old, bad[i]),
					       "%s -> %d",
					       tdi_state_names[old], bad[i]);
}

/* Each state can be reached, and each can be left for BOUND or IDLE. */
static void tdi_state_reachable_test(struct kunit *test)
{
	bool seen[TDI_NR_STATES] = { [TDI_STATE_IDLE] = true };
	bool grew = true;
	int old, state;

	while (grew) {
		grew = false;
		for (old = 0; old < TDI_NR_STATES; old++) {
			if (!seen[old])
				continue;
			for (state = 0; state < TDI_NR_STATES; state++) {
				if (!seen[state] &&
				    tdi_state_allowed(old, state)) {
					seen[state] = true;
					grew = true;
				}
			}
		}
	}
	for (state = 0; state < TDI_NR_STATES; state++) {
		KUNIT_EXPECT_TRUE_MSG(test, seen[state], "%s unreachable",
				      tdi_state_names[state]);
		KUNIT_EXPECT_TRUE_MSG(test,
				      tdi_state_allowed(state,
							TDI_STATE_BOUND) ||
				      tdi_state_allowed(state, TDI_STATE_IDLE),
				      "%s is a dead end",
				      tdi_state_names[state]);
	}
}

static struct kunit_case tdi_state_test_cases[] = {
	KUNIT_CASE_PARAM(tdi_state_transition_test, tdi_state_gen_params),
	KUNIT_CASE(tdi_state_matrix_test),
	KUNIT_CASE(tdi_state_unknown_target_test),
	KUNIT_CASE(tdi_state_reachable_test),
	{}
};

static struct kunit_suite tdi_state_suite = {
	.name = "tdi_state",
	.test_cases = tdi_state_test_cases,
};

kunit_test_suites(&tdi_state_suite);
