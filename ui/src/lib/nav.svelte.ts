// Which view is shown: the sidebar's views, a container's detail page, and the Compose view
// opened on a project's logs.

export const VIEWS = [
  ["dashboard", "Dashboard"],
  ["containers", "Containers"],
  ["images", "Images"],
  ["builds", "Builds"],
  ["volumes", "Volumes"],
  ["networks", "Networks"],
  ["compose", "Compose"],
  ["engines", "Engines"],
  ["settings", "Settings"],
  ["troubleshoot", "Troubleshoot"],
] as const;

export type View = (typeof VIEWS)[number][0] | "container";

/** The tabs of a container's page. */
export type ContainerTab = "logs" | "terminal" | "stats" | "inspect" | "files" | "details";

/** The view named by the page's URL fragment (`#containers`, as `berth-app --view` sets it;
 * `#container?id=NAME` is that container's page). */
export function startView(hash: string): View {
  if (startContainer(hash) !== null) return "container";
  const name = hash.replace(/^#/, "").split("?")[0];
  return (VIEWS.find(([key]) => key === name)?.[0] ?? "dashboard") as View;
}

/** The container a `#container?id=NAME_OR_ID` fragment names. */
export function startContainer(hash: string): string | null {
  const [name, query = ""] = hash.replace(/^#/, "").split("?");
  return name === "container" ? new URLSearchParams(query).get("id") || null : null;
}

/** An image the container list is narrowed to: its id, and the name it is shown by. */
export type ImageFilter = { id: string; label: string };

export class Nav {
  view = $state<View>(startView(typeof location === "undefined" ? "" : location.hash));
  /** The container whose detail is shown. */
  container = $state<string | null>(startContainer(typeof location === "undefined" ? "" : location.hash));

  /** The view a URL fragment names (a second launch's `--view`). */
  show(fragment: string): void {
    const container = startContainer(fragment);
    if (container !== null) this.openContainer(container);
    else this.go(startView(fragment));
  }
  /** The compose project whose logs the Compose view opens on. */
  projectLogs = $state<string | null>(null);

  go(view: View): void {
    this.view = view;
  }

  /** Counts the views opened on something (an image's details, a volume's files, …): the view
   * is made again for each, so that one already shown opens on the new thing too. */
  visit = $state(0);

  /** The Compose view, with the logs of `project` open. */
  openProjectLogs(project: string): void {
    this.visit++;
    this.projectLogs = project;
    this.view = "compose";
  }

  /** The image whose details the Images view opens on. */
  imageDetails = $state<string | null>(null);

  /** The Images view, with the details of `image` open. */
  openImage(image: string): void {
    this.visit++;
    this.imageDetails = image;
    this.view = "images";
  }

  /** The image whose containers the Containers view opens on (the list shows only those). */
  containersOf = $state<ImageFilter | null>(null);

  /** The Containers view, showing only the containers made from image `id` (named `label`). */
  openContainersOf(id: string, label: string): void {
    this.visit++;
    this.containersOf = { id, label };
    this.view = "containers";
  }

  /** The volume whose files the Volumes view opens on. */
  volumeFiles = $state<string | null>(null);

  /** The Volumes view, with the files of volume `name` open. */
  openVolume(name: string): void {
    this.visit++;
    this.volumeFiles = name;
    this.view = "volumes";
  }

  /** The network whose details the Networks view opens on. */
  networkDetails = $state<string | null>(null);

  /** The Networks view, with the details of network `name` open. */
  openNetwork(name: string): void {
    this.visit++;
    this.networkDetails = name;
    this.view = "networks";
  }

  /** The tab a container's page opens on. */
  containerTab = $state<ContainerTab>("logs");

  openContainer(id: string, tab: ContainerTab = "logs"): void {
    this.container = id;
    this.containerTab = tab;
    this.view = "container";
  }
}
