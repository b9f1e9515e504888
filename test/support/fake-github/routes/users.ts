// Users the fake has met (repository owners, issue authors, the app's bot).
import { userShape } from "../shapes/common.ts";
import { json, notFound, type RouteTable } from "./types.ts";

export const userRoutes: RouteTable = {
  "users/get-by-username": {
    auth: "installation",
    handle: (req, env) => {
      const login = req.params["username"] ?? "";
      const user = [...env.ctx.state.users.values()].find((u) => u.login.toLowerCase() === login.toLowerCase());
      if (!user) return notFound();
      return json(200, {
        ...userShape(env.ctx, user.login),
        name: null,
        company: null,
        blog: "",
        location: null,
        email: null,
        hireable: null,
        bio: null,
        public_repos: [...env.ctx.state.repos.values()].filter((r) => r.owner === user.login && !r.private).length,
        public_gists: 0,
        followers: 0,
        following: 0,
        created_at: "2024-01-01T00:00:00Z",
        updated_at: "2024-01-01T00:00:00Z",
      });
    },
  },
};
