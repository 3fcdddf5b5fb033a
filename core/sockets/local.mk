# core/sockets: the socket types, one file each, on the routing
# strategies (routing.h: fair queueing, load balancing, fan-out) and the
# subscription tries of publish-subscribe; and the suites of their
# patterns. Included by Makefile.am.
core_libmzcore_la_SOURCES += \
	core/sockets/pair.c \
	core/sockets/pub.c \
	core/sockets/sub.c \
	core/sockets/xpub.c \
	core/sockets/xsub.c \
	core/sockets/pubsub.c core/sockets/pubsub.h \
	core/sockets/push.c \
	core/sockets/pull.c \
	core/sockets/req.c \
	core/sockets/rep.c \
	core/sockets/dealer.c \
	core/sockets/router.c core/sockets/router.h \
	core/sockets/stream.c \
	core/sockets/client.c \
	core/sockets/server.c core/sockets/server.h \
	core/sockets/radio.c \
	core/sockets/dish.c \
	core/sockets/scatter.c \
	core/sockets/gather.c \
	core/sockets/peer.c \
	core/sockets/channel.c \
	core/sockets/dgram.c \
	core/sockets/group_table.c core/sockets/group_table.h \
	core/sockets/single_part.c core/sockets/single_part.h \
	core/sockets/random.h \
	core/sockets/routing.h \
	core/sockets/fair_queue.c \
	core/sockets/load_balancer.c \
	core/sockets/distributor.c \
	core/sockets/prefix_tree.c core/sockets/prefix_tree.h \
	core/sockets/trie.c core/sockets/trie.h \
	core/sockets/mtrie.c core/sockets/mtrie.h

check_PROGRAMS += \
	tests/test_reqrep \
	tests/test_router \
	tests/test_pair \
	tests/test_pipeline \
	tests/test_pubsub \
	tests/test_client_server \
	tests/test_radio_dish \
	tests/test_scatter_gather \
	tests/test_peer_channel \
	tests/test_dgram

# The suites of CLIENT and SERVER, and of RADIO and DISH, speak ZMTP by
# hand for a test each.
tests_test_client_server_SOURCES = tests/test_client_server.c \
	tests/raw_zmtp.c tests/raw_zmtp.h
tests_test_radio_dish_SOURCES = tests/test_radio_dish.c \
	tests/raw_zmtp.c tests/raw_zmtp.h
# So does the suite of PEER and CHANNEL, which libzmq's Node package lacks.
tests_test_peer_channel_SOURCES = tests/test_peer_channel.c \
	tests/raw_zmtp.c tests/raw_zmtp.h
