# doc: the manual pages. modzmq(1), the tool's, and modzmq(7) are written
# as pages; modzmq-plugin(7)
# is sdk/GUIDE.md, turned into roff at build time by tools/md2man.py so
# that the guide stays one text. tests/check_manpages.sh renders each
# with man --warnings. Included by Makefile.am.

man_MANS = doc/modzmq.1 doc/modzmq.7 doc/modzmq-plugin.7
EXTRA_DIST += doc/modzmq.1 doc/modzmq.7
CLEANFILES += doc/modzmq-plugin.7

doc/modzmq-plugin.7: $(srcdir)/sdk/GUIDE.md $(srcdir)/tools/md2man.py
	$(AM_V_GEN)$(MKDIR_P) doc && $(PYTHON3) $(srcdir)/tools/md2man.py \
		--name modzmq-plugin --section 7 --date $(MANUAL_DATE) \
		--source "modzmq $(VERSION)" --title "modzmq manual" \
		$(srcdir)/sdk/GUIDE.md $@

TESTS += tests/check_manpages.sh
EXTRA_DIST += tests/check_manpages.sh
