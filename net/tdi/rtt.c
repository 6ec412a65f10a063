// SPDX-License-Identifier: GPL-2.0
/*
 * tdi round-trip time estimation and retransmission time-out, after
 * RFC 6298: SRTT and RTTVAR from each sample, RTO = SRTT + max(G, 4 *
 * RTTVAR) clamped to [rto_min, rto_max], doubled on each back-off.
 */

#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <kunit/visibility.h>

#include "tdi.h"

/**
 * tdi_rtt_init() - start an estimate with no sample
 * @rtt: the estimate
 * @initial_us: the time-out to use before the first sample
 */
void tdi_rtt_init(struct tdi_rtt *rtt, u32 initial_us)
{
	rtt->srtt_us = 0;
	rtt->rttvar_us = 0;
	rtt->rto_us = initial_us;
}
EXPORT_SYMBOL_IF_KUNIT(tdi_rtt_init);

/**
 * tdi_rtt_sample() - take one round-trip measurement into the estimate
 * @rtt: the estimate
 * @sample_us: the measured round trip
 * @min_us: lower bound of the time-out
 * @max_us: upper bound of the time-out
 */
void tdi_rtt_sample(struct tdi_rtt *rtt, u32 sample_us, u32 min_us,
		    u32 max_us)
{
	u32 granularity = jiffies_to_usecs(1);
	u64 rto;

	sample_us = max(sample_us, 1U);
	if (!rtt->srtt_us) {
		rtt->srtt_us = sample_us;
		rtt->rttvar_us = sample_us / 2;
	} else {
		u32 delta = rtt->srtt_us > sample_us ?
			    rtt->srtt_us - sample_us : sample_us - rtt->srtt_us;

		rtt->rttvar_us = (3 * (u64)rtt->rttvar_us + delta) / 4;
		rtt->srtt_us = max_t(u32, (7 * (u64)rtt->srtt_us +
					  sample_us) / 8, 1);
	}
	rto = (u64)rtt->srtt_us + max_t(u64, granularity,
					4 * (u64)rtt->rttvar_us);
	rtt->rto_us = clamp_t(u64, rto, min_us, max_us);
}
EXPORT_SYMBOL_IF_KUNIT(tdi_rtt_sample);

/**
 * tdi_rtt_sample_net() - tdi_rtt_sample() within a namespace's bounds
 * @tn: the namespace whose rto_min_ms and rto_max_ms bound the time-out
 * @rtt: the estimate
 * @sample_us: the measured round trip
 *
 * The sysctls may change at any time: each is read once.  Their handler
 * keeps rto_min_ms <= rto_max_ms; a reader that sees the two from either
 * side of a pair of writes still gets a time-out of at most rto_max_ms.
 */
void tdi_rtt_sample_net(const struct tdi_net *tn, struct tdi_rtt *rtt,
			u32 sample_us)
{
	u32 min_us = READ_ONCE(tn->sysctl.rto_min_ms) * USEC_PER_MSEC;
	u32 max_us = READ_ONCE(tn->sysctl.rto_max_ms) * USEC_PER_MSEC;

	tdi_rtt_sample(rtt, sample_us, min_us, max_us);
}

/**
 * tdi_rto_backed_off() - the time-out after @backoff doublings
 * @rto_us: the time-out before back-off
 * @backoff: how many time-outs in a row
 * @max_us: upper bound
 *
 * Return: min(@rto_us << @backoff, @max_us), without overflow.
 */
u32 tdi_rto_backed_off(u32 rto_us, u8 backoff, u32 max_us)
{
	u64 rto = rto_us;

	if (backoff >= 32)
		return max_us;
	rto <<= backoff;
	return min_t(u64, rto, max_us);
}
EXPORT_SYMBOL_IF_KUNIT(tdi_rto_backed_off);
