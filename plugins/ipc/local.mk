# plugins/ipc: build rules, included by Makefile.am (empty until its code lands).
