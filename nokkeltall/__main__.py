from nokkeltall.cli import main

raise SystemExit(main())
