from cpc_toolkit.cli.main import main

raise SystemExit(main())
